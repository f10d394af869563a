package io.insighthub.workers.cdc;

import static io.insighthub.workers.cdc.DebeziumEvents.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.workers.warehouse.JdbcWarehouse;
import io.insighthub.workers.warehouse.SourceOffset;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Debezium change records into a warehouse: every operation, collapse, replays, TOAST, bad input;
 * run against DuckDB ({@link CdcLoaderTest}) and Snowflake ({@link CdcLoaderSnowflakeIT}).
 */
public abstract class CdcLoaderContract {
  private JdbcWarehouse warehouse;

  /** A new, empty warehouse of the implementation under test. */
  protected abstract JdbcWarehouse openWarehouse();

  private CdcLoader loader;

  @BeforeEach
  void open() {
    warehouse = openWarehouse();
    loader = loader(true);
  }

  @AfterEach
  void close() {
    warehouse.close();
  }

  private CdcLoader loader(boolean soft) {
    return new CdcLoader(
        warehouse, "cdc-load.test", "RAW", List.of("public.accounts", "public.invoices"), soft);
  }

  private static DebeziumEvents accounts(boolean schemas) {
    return new DebeziumEvents("billing", "public.accounts", schemas, "id")
        .column("id", "int64", null, null)
        .column("name", "string", null, null)
        .column("plan", "string", null, null);
  }

  @ParameterizedTest(name = "schemas in payload: {0}")
  @ValueSource(booleans = {true, false})
  void snapshotThenCreateUpdateDeleteLandAsInTheSource(boolean schemas) {
    DebeziumEvents events = accounts(schemas);
    loader.load(
        List.of(
            events.read(10, row("id", 1, "name", "acme", "plan", "free")),
            events.read(10, row("id", 2, "name", "beta", "plan", "pro"))));
    loader.load(
        List.of(
            events.create(20, row("id", 3, "name", "gamma", "plan", "free")),
            events.update(21, row("id", 1, "name", "acme", "plan", "pro")),
            events.delete(22, row("id", 2, "name", null, "plan", null)),
            events.tombstone(2)));

    assertThat(live("ACCOUNTS"))
        .containsExactly(
            Map.of("ID", 1L, "NAME", "acme", "PLAN", "pro"),
            Map.of("ID", 3L, "NAME", "gamma", "PLAN", "free"));
    assertThat(warehouse.query("SELECT \"_DELETED\" FROM \"RAW\".\"ACCOUNTS\" WHERE \"ID\" = 2"))
        .singleElement()
        .satisfies(r -> assertThat(r.get("_DELETED")).isEqualTo(true));
  }

  @Test
  void theTablesNewestSourceTimeIsWhatARestartedLoaderReportsForIt() {
    var table = loader.target("public.accounts");
    assertThat(warehouse.maxSourceTime(table)).as("no table yet").isEmpty();
    DebeziumEvents events = accounts(false);
    loader.load(
        List.of(
            events.create(10, row("id", 1, "name", "a", "plan", "x")),
            events.create(30, row("id", 2, "name", "b", "plan", "x")),
            events.update(20, row("id", 1, "name", "c", "plan", "x"))));
    // DebeziumEvents commits each change at 1_700_000_000_000 ms plus its LSN.
    assertThat(warehouse.maxSourceTime(table))
        .contains(java.time.Instant.ofEpochMilli(1_700_000_000_030L));
  }

  @Test
  void changesOfOneKeyCollapseToTheNewestPositionWhateverTheirOrder() {
    DebeziumEvents events = accounts(false);
    ConsumerRecord<String, String> newest =
        events.update(30, row("id", 1, "name", "c", "plan", "x"));
    ConsumerRecord<String, String> older =
        events.update(20, row("id", 1, "name", "b", "plan", "x"));
    CdcLoader.LoadReport report =
        loader.load(
            List.of(events.create(10, row("id", 1, "name", "a", "plan", "x")), newest, older));
    assertThat(report.tables().values())
        .singleElement()
        .satisfies(t -> assertThat(t.collapsed()).isEqualTo(1));
    assertThat(live("ACCOUNTS")).extracting(r -> r.get("NAME")).containsExactly("c");
  }

  @Test
  void redeliveredBatchChangesNothingAndIsCountedAsIgnored() {
    DebeziumEvents events = accounts(false);
    List<ConsumerRecord<String, String>> batch =
        List.of(
            events.create(10, row("id", 1, "name", "a", "plan", "x")),
            events.update(11, row("id", 1, "name", "b", "plan", "x")),
            events.create(12, row("id", 2, "name", "z", "plan", "x")));
    loader.load(batch);
    loader.load(List.of(events.update(13, row("id", 2, "name", "zz", "plan", "x"))));

    CdcLoader.LoadReport replay = loader.load(batch);
    assertThat(replay.result().tables().values())
        .singleElement()
        .satisfies(t -> assertThat(t.ignored()).isEqualTo(2));
    assertThat(live("ACCOUNTS")).extracting(r -> r.get("NAME")).containsExactly("b", "zz");
  }

  @Test
  void primaryKeyChangeDeletesTheOldKeyAndCreatesTheNew() {
    DebeziumEvents events = accounts(false);
    loader.load(List.of(events.create(10, row("id", 1, "name", "a", "plan", "x"))));
    loader.load(
        List.of(
            events.delete(20, row("id", 1, "name", null, "plan", null)),
            events.tombstone(1),
            events.create(20, row("id", 100, "name", "a", "plan", "x"))));
    assertThat(live("ACCOUNTS")).extracting(r -> r.get("ID")).containsExactly(100L);
  }

  @Test
  void multiTableTransactionCommitsBothTablesAndBothOffsets() {
    DebeziumEvents accounts = accounts(false);
    DebeziumEvents invoices = new DebeziumEvents("billing", "public.invoices", false, "id");
    loader.load(
        List.of(
            accounts.create(10, row("id", 1, "name", "a", "plan", "x")),
            invoices.create(11, row("id", 7, "account_id", 1, "amount", 12.5))));
    assertThat(live("ACCOUNTS")).hasSize(1);
    assertThat(live("INVOICES"))
        .containsExactly(Map.of("ID", 7L, "ACCOUNT_ID", 1L, "AMOUNT", 12.5));
    assertThat(warehouse.offsets("cdc-load.test"))
        .containsExactlyInAnyOrder(
            new SourceOffset("billing.public.accounts", 0, 1),
            new SourceOffset("billing.public.invoices", 0, 1));
  }

  @Test
  void hardDeletesRemoveTheRow() {
    CdcLoader hard = loader(false);
    DebeziumEvents events = accounts(false);
    hard.load(List.of(events.create(10, row("id", 1, "name", "a", "plan", "x"))));
    hard.load(List.of(events.delete(11, row("id", 1, "name", null, "plan", null))));
    assertThat(warehouse.query("SELECT * FROM \"RAW\".\"ACCOUNTS\"")).isEmpty();
  }

  @ParameterizedTest(name = "schemas in payload: {0}")
  @ValueSource(booleans = {true, false})
  void unchangedToastValueKeepsTheStoredOneAcrossAndWithinBatches(boolean schemas) {
    DebeziumEvents events = accounts(schemas);
    String unavailable = DebeziumParser.UNAVAILABLE;
    loader.load(List.of(events.create(10, row("id", 1, "name", "long text", "plan", "x"))));
    loader.load(List.of(events.update(11, row("id", 1, "name", unavailable, "plan", "y"))));
    assertThat(live("ACCOUNTS"))
        .containsExactly(Map.of("ID", 1L, "NAME", "long text", "PLAN", "y"));

    loader.load(
        List.of(
            events.update(12, row("id", 1, "name", "new text", "plan", "y")),
            events.update(13, row("id", 1, "name", unavailable, "plan", "z"))));
    assertThat(live("ACCOUNTS")).containsExactly(Map.of("ID", 1L, "NAME", "new text", "PLAN", "z"));
  }

  @Test
  void keyChangeKeepsTheUnchangedToastValueOfTheOldKey() {
    DebeziumEvents events = accounts(false);
    String unavailable = DebeziumParser.UNAVAILABLE;
    loader.load(List.of(events.create(10, row("id", 1, "name", "long text", "plan", "x"))));
    loader.load(
        List.of(
            events.delete(20, row("id", 1, "name", null, "plan", null)),
            events.tombstone(1),
            moved(events.create(20, row("id", 2, "name", unavailable, "plan", "y")), 1)));
    loader.load(
        List.of(
            events.create(30, row("id", 5, "name", "fresh text", "plan", "x")),
            events.delete(31, row("id", 5, "name", null, "plan", null)),
            moved(events.create(31, row("id", 6, "name", unavailable, "plan", "z")), 5)));
    assertThat(live("ACCOUNTS"))
        .containsExactly(
            Map.of("ID", 2L, "NAME", "long text", "PLAN", "y"),
            Map.of("ID", 6L, "NAME", "fresh text", "PLAN", "z"));
  }

  private static ConsumerRecord<String, String> moved(
      ConsumerRecord<String, String> record, long oldId) {
    record
        .headers()
        .add(
            DebeziumParser.OLD_KEY_HEADER,
            ("{\"id\":" + oldId + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return record;
  }

  @Test
  void columnAddedInTheSourceAppearsInTheTable() {
    DebeziumEvents events = accounts(false);
    loader.load(List.of(events.create(10, row("id", 1, "name", "a", "plan", "x"))));
    loader.load(List.of(events.create(11, row("id", 2, "name", "b", "plan", "x", "region", "eu"))));
    assertThat(warehouse.query("SELECT \"ID\", \"REGION\" FROM \"RAW\".\"ACCOUNTS\" ORDER BY 1"))
        .extracting(r -> r.get("REGION"))
        .containsExactly(null, "eu");
  }

  @Test
  void debeziumLogicalTypesBecomeWarehouseTypes() {
    DebeziumEvents events =
        new DebeziumEvents("billing", "public.invoices", true, "id")
            .column("id", "int64", null, null)
            .column("amount", "bytes", "org.apache.kafka.connect.data.Decimal", "2")
            .column("due", "int32", "io.debezium.time.Date", null)
            .column("issued_at", "int64", "io.debezium.time.MicroTimestamp", null);
    String amount = Base64.getEncoder().encodeToString(BigInteger.valueOf(123456).toByteArray());
    loader.load(
        List.of(
            events.create(
                10,
                row(
                    "id",
                    1,
                    "amount",
                    amount,
                    "due",
                    19_000,
                    "issued_at",
                    1_700_000_000_123_456L))));
    assertThat(live("INVOICES"))
        .containsExactly(
            Map.of(
                "ID",
                1L,
                "AMOUNT",
                new BigDecimal("1234.56"),
                "DUE",
                LocalDate.ofEpochDay(19_000),
                "ISSUED_AT",
                LocalDateTime.parse("2023-11-14T22:13:20.123456")));
  }

  @Test
  void eventForAnUnknownTableIsQuarantinedWithTheReason() {
    DebeziumEvents other = new DebeziumEvents("billing", "public.payroll", false, "id");
    DebeziumEvents events = accounts(false);
    CdcLoader.LoadReport report =
        loader.load(
            List.of(
                other.create(10, row("id", 1, "salary", 1)),
                events.create(11, row("id", 1, "name", "a", "plan", "x"))));
    assertThat(report.quarantined()).isEqualTo(1);
    assertThat(quarantine())
        .singleElement()
        .satisfies(
            r -> {
              assertThat((String) r.get("REASON"))
                  .contains("public.payroll is not captured by this CdcSource");
              assertThat((String) r.get("RECORD_VALUE")).contains("salary");
            });
    assertThat(live("ACCOUNTS")).hasSize(1);
    assertThat(warehouse.offsets("cdc-load.test"))
        .contains(new SourceOffset("billing.public.payroll", 0, 1));
  }

  @Test
  void eventWithoutPrimaryKeyIsQuarantined() {
    DebeziumEvents events = accounts(false);
    ConsumerRecord<String, String> keyless =
        events.create(10, row("id", 1, "name", "a", "plan", "x"));
    loader.load(List.of(events.raw(null, keyless.value())));
    assertThat(quarantine())
        .singleElement()
        .satisfies(
            r ->
                assertThat((String) r.get("REASON"))
                    .contains("has no primary key (null record key)"));
  }

  @Test
  void valueThatDoesNotFitItsColumnIsQuarantinedAndTheRestApplied() {
    DebeziumEvents events = accounts(false);
    loader.load(List.of(events.create(10, row("id", 1, "name", "a", "plan", "x", "seats", 5))));
    CdcLoader.LoadReport report =
        loader.load(
            List.of(
                events.create(11, row("id", 2, "name", "b", "plan", "x", "seats", "many")),
                events.create(12, row("id", 3, "name", "c", "plan", "x", "seats", 7))));
    assertThat(report.quarantined()).isEqualTo(1);
    assertThat(quarantine())
        .singleElement()
        .satisfies(
            r ->
                assertThat((String) r.get("REASON"))
                    .contains("column public.accounts.seats")
                    .contains("cannot be converted to BIGINT"));
    assertThat(warehouse.query("SELECT \"ID\" FROM \"RAW\".\"ACCOUNTS\" ORDER BY 1"))
        .extracting(r -> r.get("ID"))
        .containsExactly(1L, 3L);
  }

  @Test
  void columnTypeTheWarehouseCannotHoldIsQuarantined() {
    DebeziumEvents events =
        new DebeziumEvents("billing", "public.accounts", true, "id")
            .column("id", "int64", null, null)
            .column("tags", "array", null, null);
    loader.load(List.of(events.create(10, row("id", 1, "tags", List.of("a")))));
    assertThat(quarantine())
        .singleElement()
        .satisfies(
            r ->
                assertThat((String) r.get("REASON"))
                    .contains("column public.accounts.tags has type array"));
  }

  private List<Map<String, Object>> quarantine() {
    return warehouse.query("SELECT * FROM \"OPS\".\"QUARANTINE\" ORDER BY \"KAFKA_OFFSET\"");
  }

  /**
   * The live rows of a RAW table without the bookkeeping columns, ordered by ID; dates and
   * timestamps as {@code java.time} values (each driver returns its own {@code java.sql} class).
   */
  private List<Map<String, Object>> live(String table) {
    return warehouse
        .query(
            "SELECT * EXCLUDE (\"_LSN\", \"_TX_ORDER\", \"_KAFKA_OFFSET\", \"_DELETED\","
                + " \"_SOURCE_TS\", \"_LOADED_AT\") FROM \"RAW\".\""
                + table
                + "\" WHERE NOT \"_DELETED\" ORDER BY \"ID\"")
        .stream()
        .map(
            r -> {
              Map<String, Object> row = new java.util.TreeMap<>();
              r.forEach((column, value) -> row.put(column, javaTime(value)));
              return row;
            })
        .toList();
  }

  private static Object javaTime(Object value) {
    return switch (value) {
      case java.sql.Date date -> date.toLocalDate();
      case java.sql.Timestamp timestamp -> timestamp.toLocalDateTime();
      case null, default -> value;
    };
  }
}
