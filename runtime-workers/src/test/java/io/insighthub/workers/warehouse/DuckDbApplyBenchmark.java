package io.insighthub.workers.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB's own {@code MERGE} against the statements {@link DuckDbWarehouse} runs instead ({@link
 * WarehouseSql#cdcStatements}), on the workload of {@code CdcLoadBenchmark}: 100K keys inserted,
 * then batches of 50K updates walking the keys in order. Prints each batch's apply time and checks
 * both leave the same table. Run with {@code -Pbenchmark} (see BENCHMARKS.md).
 */
class DuckDbApplyBenchmark {
  private static final int KEYS = Integer.getInteger("bench.keys", 100_000);
  private static final int BATCH = Integer.getInteger("bench.batch", 50_000);
  private static final int BATCHES = Integer.getInteger("bench.batches", 10);
  private static final TableId ORDERS = new TableId("RAW", "ORDERS");
  private static final String STAGE = "\"STAGE_1\"";
  private static final List<Column> COLUMNS =
      List.of(
          new Column("ID", ColumnType.BIGINT),
          new Column("ACCOUNT_ID", ColumnType.BIGINT),
          new Column("STATUS", ColumnType.VARCHAR),
          new Column("AMOUNT", ColumnType.DOUBLE),
          new Column("NOTE", ColumnType.VARCHAR));

  @TempDir Path dir;

  @Test
  void mergeAgainstSeparateStatements() throws SQLException {
    String merged = run("merge");
    String statements = run("statements");
    assertThat(statements).isEqualTo(merged);
  }

  /** Applies the workload one way; returns a checksum of the resulting table. */
  private String run(String how) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection("jdbc:duckdb:" + dir.resolve(how + ".duckdb"));
        Statement statement = connection.createStatement()) {
      statement.execute(WarehouseSql.createSchema("RAW"));
      List<Column> table = new ArrayList<>(COLUMNS);
      table.addAll(WarehouseSql.CDC_COLUMNS);
      statement.execute(WarehouseSql.createTable(ORDERS, table));
      List<Column> stage = new ArrayList<>(COLUMNS);
      stage.addAll(WarehouseSql.CDC_STAGE_COLUMNS);
      long position = 1_000;
      List<Long> millis = new ArrayList<>();
      int inserts = (KEYS + BATCH - 1) / BATCH;
      for (int b = 0; b < inserts + BATCHES; b++) {
        connection.setAutoCommit(false);
        statement.execute("DROP TABLE IF EXISTS " + STAGE);
        statement.execute(WarehouseSql.createTempTable(STAGE, stage));
        try (DuckDBAppender appender =
            connection.unwrap(DuckDBConnection.class).createAppender("temp", "main", "STAGE_1")) {
          for (int i = 0; i < BATCH; i++) {
            long id = ((long) b * BATCH + i) % KEYS;
            if (b < inserts && (long) b * BATCH + i >= KEYS) {
              break;
            }
            appender.beginRow();
            appender.append(id);
            appender.append(id % 977);
            appender.append(b < inserts ? "open" : "paid-" + i % 7);
            appender.append(position * 0.25);
            appender.append("order note " + position);
            appender.append(b < inserts ? "c" : "u");
            appender.appendNull();
            appender.append(position++);
            appender.append(0L);
            appender.append(position);
            appender.append(OffsetDateTime.now());
            appender.endRow();
          }
          appender.flush();
        }
        long started = System.nanoTime();
        if (how.equals("merge")) {
          statement.executeUpdate(
              WarehouseSql.cdcMerge(ORDERS, STAGE, COLUMNS, List.of("ID"), true));
        } else {
          for (String sql :
              WarehouseSql.cdcStatements(ORDERS, STAGE, COLUMNS, List.of("ID"), true)) {
            statement.executeUpdate(sql);
          }
        }
        millis.add((System.nanoTime() - started) / 1_000_000);
        statement.execute("DROP TABLE IF EXISTS " + STAGE);
        connection.commit();
        connection.setAutoCommit(true);
      }
      System.out.printf(
          "DuckDB apply (%s): %d keys, batches of %d, apply ms per batch (inserts first): %s;"
              + " total %d ms%n",
          how, KEYS, BATCH, millis, millis.stream().mapToLong(Long::longValue).sum());
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT count(*), sum(hash(\"ID\", \"STATUS\", \"AMOUNT\", \"NOTE\", \"_LSN\","
                  + " \"_DELETED\")) FROM "
                  + ORDERS.sql())) {
        rows.next();
        return rows.getLong(1) + "/" + rows.getString(2);
      }
    }
  }
}
