package io.insighthub.workers.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every warehouse must do for a file's load, run against each implementation ({@link
 * DuckDbFileLoadTest}, {@link SnowflakeFileLoadIT}): the rows, the manifest row and the quarantined
 * rows of one file commit together or not at all.
 */
public abstract class FileLoadContract {
  private static final String CONSUMER = "batch-ingest.ns.accounts";
  private static final TableId TABLE = new TableId("VALIDATED", "ACCOUNTS");
  private static final List<Column> COLUMNS =
      List.of(
          new Column("ID", ColumnType.VARCHAR),
          new Column("NAME", ColumnType.VARCHAR),
          new Column("AMOUNT", ColumnType.BIGINT));

  private JdbcWarehouse warehouse;

  protected abstract JdbcWarehouse openWarehouse();

  @BeforeEach
  void open() {
    warehouse = openWarehouse();
  }

  @AfterEach
  void close() {
    warehouse.close();
  }

  private static String uri(String key) {
    return "s3://exports/" + key;
  }

  private static StoredFile version(String key, String etag, StoredFile.Status status) {
    return new StoredFile(
        "exports",
        key,
        etag,
        100,
        Instant.parse("2026-11-20T03:00:00Z"),
        TABLE.toString(),
        status,
        0,
        0,
        0,
        null,
        null);
  }

  private FileLoad begin(String key, List<String> mergeKey) {
    return warehouse.beginFile(new FileLoad.Target(CONSUMER, TABLE, COLUMNS, mergeKey, uri(key)));
  }

  private FileLoad.Result load(String key, String etag, boolean replace, Object[]... rows) {
    try (FileLoad load = begin(key, List.of("ID"))) {
      long line = 2;
      for (Object[] row : rows) {
        load.add(row, line++);
      }
      return load.commit(
          new FileLoad.Commit(
              version(key, etag, replace ? StoredFile.Status.RELOADED : StoredFile.Status.LOADED),
              replace,
              null));
    }
  }

  private List<Map<String, Object>> rows() {
    return warehouse.query(
        "SELECT \"ID\", \"NAME\", \"AMOUNT\", \"_SOURCE_FILE\", \"_SOURCE_LINE\" FROM "
            + TABLE.sql()
            + " ORDER BY \"ID\"");
  }

  private static long number(Object value) {
    return ((Number) value).longValue();
  }

  @Test
  void aFilesRowsMergeOnTheKeyTheLastRowOfAKeyWinningWithTheManifestRow() {
    FileLoad.Result result =
        load(
            "a.csv",
            "e1",
            false,
            new Object[] {"1", "old", 1L},
            new Object[] {"2", "b", 2L},
            new Object[] {"1", "new", 3L});
    assertThat(result.committed()).isTrue();
    assertThat(result.rows()).isEqualTo(2);
    assertThat(result.duplicates()).isEqualTo(1);
    assertThat(rows())
        .extracting(
            r -> r.get("ID"),
            r -> r.get("NAME"),
            r -> r.get("_SOURCE_FILE"),
            r -> number(r.get("_SOURCE_LINE")))
        .containsExactly(tuple("1", "new", uri("a.csv"), 4L), tuple("2", "b", uri("a.csv"), 3L));
    assertThat(warehouse.storedFiles(CONSUMER, "exports", ""))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.key()).isEqualTo("a.csv");
              assertThat(f.etag()).isEqualTo("e1");
              assertThat(f.status()).isEqualTo(StoredFile.Status.LOADED);
              assertThat(f.rows()).isEqualTo(2);
              assertThat(f.duplicates()).isEqualTo(1);
              assertThat(f.loadedAt()).isNotNull();
            });
  }

  @Test
  void aLaterFileReplacesTheRowsOfItsKeys() {
    load("a.csv", "e1", false, new Object[] {"1", "a", 1L}, new Object[] {"2", "b", 2L});
    load("b.csv", "e2", false, new Object[] {"2", "b2", 20L});
    assertThat(rows())
        .extracting(r -> r.get("ID"), r -> r.get("NAME"), r -> r.get("_SOURCE_FILE"))
        .containsExactly(tuple("1", "a", uri("a.csv")), tuple("2", "b2", uri("b.csv")));
  }

  @Test
  void appendedRowsAreInsertedAsTheyAre() {
    for (String key : List.of("a.csv", "b.csv")) {
      try (FileLoad load = begin(key, List.of())) {
        load.add(new Object[] {"1", "x", 1L}, 2);
        load.add(new Object[] {"1", "x", 1L}, 3);
        assertThat(
                load.commit(
                        new FileLoad.Commit(
                            version(key, "e", StoredFile.Status.LOADED), false, null))
                    .rows())
            .isEqualTo(2);
      }
    }
    assertThat(rows()).hasSize(4);
  }

  @Test
  void aReloadReplacesTheRowsTheEarlierVersionOfTheFileLoaded() {
    load("a.csv", "e1", false, new Object[] {"1", "a", 1L}, new Object[] {"2", "b", 2L});
    load("b.csv", "e9", false, new Object[] {"3", "c", 3L});
    FileLoad.Result reload = load("a.csv", "e2", true, new Object[] {"2", "b-corrected", 5L});
    assertThat(reload.replaced()).isEqualTo(2);
    assertThat(rows())
        .extracting(r -> r.get("ID"), r -> r.get("NAME"))
        .containsExactly(tuple("2", "b-corrected"), tuple("3", "c"));
    assertThat(warehouse.storedFiles(CONSUMER, "exports", "a"))
        .extracting(StoredFile::etag, StoredFile::status)
        .containsExactly(
            tuple("e1", StoredFile.Status.LOADED), tuple("e2", StoredFile.Status.RELOADED));
  }

  @Test
  void aLoadClosedWithoutCommitLeavesNothing() {
    try (FileLoad load = begin("a.csv", List.of("ID"))) {
      load.add(new Object[] {"1", "a", 1L}, 2);
      load.quarantine(new FileQuarantine(uri("a.csv"), 3L, null, "AMOUNT", "WRONG_TYPE: x"));
    }
    assertThat(warehouse.columns(TABLE)).containsKeys("ID", "_SOURCE_FILE", "_LOADED_AT");
    assertThat(rows()).isEmpty();
    assertThat(warehouse.storedFiles(CONSUMER, "exports", "")).isEmpty();
    assertThat(quarantine()).isEmpty();
  }

  private List<Map<String, Object>> quarantine() {
    return warehouse.query(
        "SELECT \"CONSUMER\", \"SOURCE_FILE\", \"SOURCE_LINE\", \"ROW_GROUP\", \"FIELD\","
            + " \"REASON\", \"RECORD_VALUE\" FROM "
            + WarehouseSql.QUARANTINE.sql()
            + " ORDER BY \"SOURCE_LINE\"");
  }

  @Test
  void quarantinedRowsCommitWithTheFileNamingWhereAndWhyNeverTheValue() {
    try (FileLoad load = begin("a.csv", List.of("ID"))) {
      load.add(new Object[] {"1", "a", 1L}, 2);
      load.quarantine(
          new FileQuarantine(uri("a.csv"), 3L, null, "AMOUNT", "WRONG_TYPE: expected integer"));
      load.quarantine(new FileQuarantine(uri("a.csv"), 4L, 0L, null, "MALFORMED_ROW: 2 values"));
      FileLoad.Result result =
          load.commit(
              new FileLoad.Commit(version("a.csv", "e1", StoredFile.Status.LOADED), false, null));
      assertThat(result.quarantined()).isEqualTo(2);
    }
    assertThat(quarantine())
        .extracting(
            r -> r.get("CONSUMER"),
            r -> r.get("SOURCE_FILE"),
            r -> number(r.get("SOURCE_LINE")),
            r -> r.get("FIELD"),
            r -> r.get("REASON"),
            r -> r.get("RECORD_VALUE"))
        .containsExactly(
            tuple(CONSUMER, uri("a.csv"), 3L, "AMOUNT", "WRONG_TYPE: expected integer", null),
            tuple(CONSUMER, uri("a.csv"), 4L, null, "MALFORMED_ROW: 2 values", null));
    assertThat(warehouse.storedFiles(CONSUMER, "exports", ""))
        .singleElement()
        .satisfies(f -> assertThat(f.rowsQuarantined()).isEqualTo(2));
  }

  @Test
  void keysAnotherFileLoadedWithinTheWindowAreQuarantinedWhenAsked() {
    load("a.parquet", "e1", false, new Object[] {"1", "a", 1L}, new Object[] {"2", "b", 2L});
    try (FileLoad load = begin("a-copy.parquet", List.of("ID"))) {
      load.add(new Object[] {"2", "b", 2L}, 1);
      load.add(new Object[] {"3", "c", 3L}, 2);
      FileLoad.Result result =
          load.commit(
              new FileLoad.Commit(
                  version("a-copy.parquet", "e2", StoredFile.Status.LOADED),
                  false,
                  new FileLoad.CrossFileDuplicates(List.of("ID"), Duration.ofHours(24), true)));
      assertThat(result.crossFileDuplicates()).isEqualTo(1);
      assertThat(result.quarantined()).isEqualTo(1);
      assertThat(result.rows()).isEqualTo(1);
    }
    assertThat(rows())
        .extracting(r -> r.get("ID"), r -> r.get("_SOURCE_FILE"))
        .containsExactly(
            tuple("1", uri("a.parquet")),
            tuple("2", uri("a.parquet")),
            tuple("3", uri("a-copy.parquet")));
    assertThat(quarantine())
        .extracting(
            r -> r.get("SOURCE_FILE"), r -> number(r.get("SOURCE_LINE")), r -> r.get("FIELD"))
        .containsExactly(tuple(uri("a-copy.parquet"), 1L, "ID"));
  }

  @Test
  void crossFileDuplicatesAreOnlyCountedUnderAlert() {
    load("a.parquet", "e1", false, new Object[] {"1", "a", 1L});
    try (FileLoad load = begin("b.parquet", List.of("ID"))) {
      load.add(new Object[] {"1", "a2", 1L}, 1);
      FileLoad.Result result =
          load.commit(
              new FileLoad.Commit(
                  version("b.parquet", "e2", StoredFile.Status.LOADED),
                  false,
                  new FileLoad.CrossFileDuplicates(List.of("ID"), Duration.ofHours(24), false)));
      assertThat(result.crossFileDuplicates()).isEqualTo(1);
      assertThat(result.rows()).isEqualTo(1);
    }
    assertThat(rows()).extracting(r -> r.get("NAME")).containsExactly("a2");
  }

  @Test
  void rowBoundsRefuseTheCommitAndWriteNothing() {
    try (FileLoad load = begin("a.csv", List.of("ID"))) {
      load.add(new Object[] {"1", "a", 1L}, 2);
      FileLoad.Result result =
          load.commit(
              new FileLoad.Commit(
                  version("a.csv", "e1", StoredFile.Status.LOADED), false, null, 5, 100));
      assertThat(result.committed()).isFalse();
      assertThat(result.rows()).isEqualTo(1);
    }
    assertThat(rows()).isEmpty();
    assertThat(warehouse.storedFiles(CONSUMER, "exports", "")).isEmpty();
  }

  @Test
  void columnsAddedMidFileAreNullInTheRowsBefore() {
    try (FileLoad load = begin("a.jsonl", List.of("ID"))) {
      load.add(new Object[] {"1", "a", 1L}, 1);
      List<Column> columns = load.addColumns(List.of(new Column("REGION", ColumnType.VARCHAR)));
      assertThat(columns)
          .extracting(Column::name)
          .containsExactly("ID", "NAME", "AMOUNT", "REGION");
      load.add(new Object[] {"2", "b", 2L, "emea"}, 2);
      load.commit(
          new FileLoad.Commit(version("a.jsonl", "e1", StoredFile.Status.LOADED), false, null));
    }
    assertThat(
            warehouse.query(
                "SELECT \"ID\", \"REGION\", \"_SOURCE_LINE\" FROM " + TABLE.sql() + " ORDER BY 1"))
        .extracting(r -> r.get("ID"), r -> r.get("REGION"), r -> number(r.get("_SOURCE_LINE")))
        .containsExactly(tuple("1", null, 1L), tuple("2", "emea", 2L));
  }

  @Test
  void aVersionAlreadyInTheManifestIsNotLoadedAgain() {
    load("a.csv", "e1", false, new Object[] {"1", "a", 1L});
    assertThatThrownBy(() -> load("a.csv", "e1", false, new Object[] {"1", "again", 1L}))
        .isInstanceOf(WarehouseException.class)
        .hasMessageContaining("already in OPS.FILE_MANIFEST");
    assertThat(rows()).extracting(r -> r.get("NAME")).containsExactly("a");
  }

  @Test
  void aFileQuarantinedWholeIsRecordedOnceWithItsReason() {
    StoredFile corrupt =
        new StoredFile(
            "exports",
            "bad.csv.gz",
            "e1",
            10,
            Instant.parse("2026-11-20T03:00:00Z"),
            TABLE.toString(),
            StoredFile.Status.QUARANTINED,
            0,
            0,
            0,
            "CORRUPT_FILE: truncated gzip",
            null);
    List<FileQuarantine> why =
        List.of(
            new FileQuarantine(
                uri("bad.csv.gz"), null, null, null, "CORRUPT_FILE: truncated gzip"));
    warehouse.recordFile(CONSUMER, corrupt, why);
    warehouse.recordFile(CONSUMER, corrupt, why);
    assertThat(warehouse.storedFiles(CONSUMER, "exports", "bad"))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.status()).isEqualTo(StoredFile.Status.QUARANTINED);
              assertThat(f.reason()).isEqualTo("CORRUPT_FILE: truncated gzip");
            });
    assertThat(quarantine())
        .extracting(r -> r.get("SOURCE_FILE"), r -> r.get("SOURCE_LINE"), r -> r.get("REASON"))
        .containsExactly(tuple(uri("bad.csv.gz"), null, "CORRUPT_FILE: truncated gzip"));
    assertThat(warehouse.storedFiles(CONSUMER, "exports", "other")).isEmpty();
    assertThat(warehouse.storedFiles("another-consumer", "exports", "")).isEmpty();
  }

  @Test
  void theNewestTimeOfAColumnIsRead() {
    TableId events = new TableId("VALIDATED", "TIMES");
    warehouse.ensureTable(events, List.of(new Column("AT", ColumnType.TIMESTAMPTZ)), List.of());
    assertThat(warehouse.maxTime(events, "AT")).isEmpty();
    assertThat(warehouse.maxTime(events, "MISSING")).isEmpty();
    try (FileLoad load =
        warehouse.beginFile(
            new FileLoad.Target(
                CONSUMER,
                events,
                List.of(new Column("AT", ColumnType.TIMESTAMPTZ)),
                List.of(),
                uri("t")))) {
      load.add(new Object[] {java.time.OffsetDateTime.parse("2026-11-20T10:00:00Z")}, 1);
      load.add(new Object[] {java.time.OffsetDateTime.parse("2026-11-21T10:00:00+02:00")}, 2);
      load.commit(new FileLoad.Commit(version("t", "e", StoredFile.Status.LOADED), false, null));
    }
    assertThat(warehouse.maxTime(events, "at")).contains(Instant.parse("2026-11-21T08:00:00Z"));
  }
}
