package io.insighthub.workers.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every warehouse must do, run against each implementation by a subclass: schemas, table
 * evolution, the guarded MERGE, offsets in one transaction ({@link DuckDbWarehouseTest}, {@link
 * SnowflakeWarehouseIT}).
 */
public abstract class WarehouseContract {
  private static final TableId ACCOUNTS = new TableId("RAW", "ACCOUNTS");
  private static final List<Column> COLUMNS =
      List.of(
          new Column("ID", ColumnType.BIGINT),
          new Column("NAME", ColumnType.VARCHAR),
          new Column("BALANCE", ColumnType.decimal(2)));

  private JdbcWarehouse warehouse;

  /** A new, empty warehouse of the implementation under test. */
  protected abstract JdbcWarehouse openWarehouse();

  @BeforeEach
  void open() {
    warehouse = openWarehouse();
    warehouse.ensureCdcTable(ACCOUNTS, COLUMNS, List.of("ID"));
  }

  @AfterEach
  void close() {
    warehouse.close();
  }

  @Test
  void initCreatesTheLayerSchemasAndOpsTablesIdempotently() {
    warehouse.init();
    assertThat(
            warehouse.query("SELECT schema_name FROM information_schema.schemata").stream()
                .map(r -> r.get("SCHEMA_NAME")))
        .contains("RAW", "VALIDATED", "CURATED", "OPS");
    assertThat(warehouse.columns(WarehouseSql.OFFSETS)).containsKeys("TOPIC", "NEXT_OFFSET");
    assertThat(warehouse.columns(WarehouseSql.QUARANTINE)).containsKeys("REASON", "RECORD_VALUE");
  }

  @Test
  void ensureTableAddsMissingColumnsAsNullable() {
    apply(upsert(1, "acme", "10.00", 100, 0));
    Map<String, ColumnType> columns =
        warehouse.ensureCdcTable(
            ACCOUNTS,
            List.of(COLUMNS.get(0), new Column("REGION", ColumnType.VARCHAR)),
            List.of("ID"));
    assertThat(columns).containsEntry("REGION", ColumnType.VARCHAR).containsKey("NAME");
    assertThat(rows()).singleElement().satisfies(r -> assertThat(r.get("REGION")).isNull());
  }

  @Test
  void newerChangeUpdatesAndOlderOneIsIgnored() {
    apply(upsert(1, "acme", "10.00", 100, 0));
    BatchResult result = apply(upsert(1, "acme-new", "11.00", 200, 1), upsert(2, "b", "1", 50, 2));
    assertThat(result.tables().get(ACCOUNTS)).isEqualTo(new BatchResult.TableResult(2, 2));

    BatchResult replay = apply(upsert(1, "acme", "10.00", 100, 0));
    assertThat(replay.tables().get(ACCOUNTS).ignored()).isEqualTo(1);
    assertThat(rows())
        .extracting(r -> r.get("NAME"), r -> r.get("BALANCE"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("acme-new", new BigDecimal("11.00")),
            org.assertj.core.groups.Tuple.tuple("b", new BigDecimal("1.00")));
  }

  @Test
  void tiesAtOneLsnAreBrokenByKafkaOffset() {
    apply(upsert(1, "first", "1", 100, 5));
    apply(upsert(1, "second", "1", 100, 6));
    apply(upsert(1, "stale", "1", 100, 4));
    assertThat(rows())
        .singleElement()
        .satisfies(r -> assertThat(r.get("NAME")).isEqualTo("second"));
  }

  @Test
  void softDeleteKeepsTheRowAndBlocksOlderRedelivery() {
    apply(upsert(1, "acme", "1", 100, 0));
    apply(delete(1, 200, 1));
    apply(upsert(1, "acme", "1", 100, 0));
    assertThat(rows())
        .singleElement()
        .satisfies(r -> assertThat(r.get("_DELETED")).isEqualTo(true));
    apply(upsert(1, "reborn", "1", 300, 2));
    assertThat(rows())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.get("_DELETED")).isEqualTo(false);
              assertThat(r.get("NAME")).isEqualTo("reborn");
            });
  }

  @Test
  void deleteBeforeItsRowIsRememberedInSoftMode() {
    apply(delete(7, 200, 1));
    apply(upsert(7, "old", "1", 100, 0));
    assertThat(rows())
        .singleElement()
        .satisfies(r -> assertThat(r.get("_DELETED")).isEqualTo(true));
  }

  @Test
  void softDeleteAndNarrowerChangesKeepTheStoredColumnsTheyDoNotCarry() {
    apply(upsert(1, "acme", "5", 100, 0), upsert(2, "beta", "7", 100, 1));
    apply(delete(1, 200, 2));
    List<Column> narrower = COLUMNS.subList(0, 2);
    warehouse.apply(
        new Batch(
            "loader",
            List.of(
                new ChangeSet(
                    ACCOUNTS,
                    narrower,
                    List.of("ID"),
                    true,
                    List.of(
                        new ChangeSet.Change(
                            false,
                            new Object[] {2L, "beta-2"},
                            Set.of(),
                            new Position(300, 0, 3),
                            Instant.now())))),
            List.of(),
            List.of(),
            List.of()));
    assertThat(rows())
        .extracting(r -> r.get("NAME"), r -> r.get("BALANCE"), r -> r.get("_DELETED"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("acme", new BigDecimal("5.00"), true),
            org.assertj.core.groups.Tuple.tuple("beta-2", new BigDecimal("7.00"), false));
  }

  @Test
  void hardDeleteRemovesTheRow() {
    apply(upsert(1, "acme", "1", 100, 0));
    warehouse.apply(batch(false, List.of(delete(1, 200, 1)), List.of()));
    assertThat(rows()).isEmpty();
  }

  @Test
  void unchangedToastColumnKeepsTheStoredValue() {
    apply(upsert(1, "acme", "5", 100, 0));
    ChangeSet.Change toast =
        new ChangeSet.Change(
            false,
            new Object[] {1L, null, new BigDecimal("6.00")},
            Set.of("NAME"),
            new Position(200, 0, 1),
            Instant.now());
    apply(toast);
    assertThat(rows())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.get("NAME")).isEqualTo("acme");
              assertThat(r.get("BALANCE")).isEqualTo(new BigDecimal("6.00"));
            });
  }

  @Test
  void offsetsAreStoredWithTheDataAndReadBack() {
    warehouse.apply(
        batch(
            true,
            List.of(upsert(1, "a", "1", 1, 0)),
            List.of(new SourceOffset("t1", 0, 1), new SourceOffset("t2", 3, 7))));
    warehouse.apply(batch(true, List.of(), List.of(new SourceOffset("t1", 0, 9))));
    assertThat(warehouse.offsets("loader"))
        .containsExactly(new SourceOffset("t1", 0, 9), new SourceOffset("t2", 3, 7));
    assertThat(warehouse.offsets("someone-else")).isEmpty();
  }

  @Test
  void failedBatchStoresNeitherDataNorOffsets() {
    ChangeSet.Change bad =
        new ChangeSet.Change(
            false,
            new Object[] {2L, "b", "not a number"},
            Set.of(),
            new Position(1, 0, 0),
            Instant.now());
    assertThatThrownBy(
            () ->
                warehouse.apply(
                    batch(
                        true,
                        List.of(upsert(1, "a", "1", 1, 0), bad),
                        List.of(new SourceOffset("t1", 0, 2)))))
        .isInstanceOf(WarehouseException.class)
        .hasMessageContaining("rolled back");
    assertThat(rows()).isEmpty();
    assertThat(warehouse.offsets("loader")).isEmpty();
  }

  @Test
  void quarantinedRecordIsKeptOnceWithItsReason() {
    QuarantinedRecord record = new QuarantinedRecord("t1", 0, 42, "{\"id\":1}", "{}", "bad");
    for (int i = 0; i < 2; i++) {
      warehouse.apply(new Batch("loader", List.of(), List.of(), List.of(record), List.of()));
    }
    assertThat(warehouse.query("SELECT * FROM \"OPS\".\"QUARANTINE\""))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.get("REASON")).isEqualTo("bad");
              assertThat(r.get("KAFKA_OFFSET")).isEqualTo(42L);
            });
  }

  @Test
  void rowsAreAppendedOrMergedByKey() {
    TableId sessions = new TableId("CURATED", "SESSIONS");
    List<Column> columns =
        List.of(
            new Column("SESSION_ID", ColumnType.VARCHAR), new Column("EVENTS", ColumnType.BIGINT));
    warehouse.ensureTable(sessions, columns, List.of("SESSION_ID"));
    for (long events : new long[] {3, 5}) {
      warehouse.apply(
          new Batch(
              "loader",
              List.of(),
              List.of(
                  new RowSet(
                      sessions,
                      columns,
                      List.of("SESSION_ID"),
                      List.<Object[]>of(new Object[] {"s1", events}),
                      null)),
              List.of(),
              List.of()));
    }
    assertThat(warehouse.query("SELECT * FROM \"CURATED\".\"SESSIONS\""))
        .singleElement()
        .satisfies(r -> assertThat(r.get("EVENTS")).isEqualTo(5L));
  }

  private List<Map<String, Object>> rows() {
    return warehouse.query("SELECT * FROM \"RAW\".\"ACCOUNTS\" ORDER BY \"ID\"");
  }

  private BatchResult apply(ChangeSet.Change... changes) {
    return warehouse.apply(batch(true, List.of(changes), List.of()));
  }

  private static Batch batch(
      boolean soft, List<ChangeSet.Change> changes, List<SourceOffset> offsets) {
    return new Batch(
        "loader",
        List.of(new ChangeSet(ACCOUNTS, COLUMNS, List.of("ID"), soft, changes)),
        List.of(),
        List.of(),
        offsets);
  }

  static ChangeSet.Change upsert(long id, String name, String balance, long lsn, long offset) {
    return new ChangeSet.Change(
        false,
        new Object[] {id, name, new BigDecimal(balance).setScale(2)},
        Set.of(),
        new Position(lsn, 0, offset),
        Instant.now());
  }

  static ChangeSet.Change delete(long id, long lsn, long offset) {
    return new ChangeSet.Change(
        true, new Object[] {id, null, null}, Set.of(), new Position(lsn, 0, offset), Instant.now());
  }
}
