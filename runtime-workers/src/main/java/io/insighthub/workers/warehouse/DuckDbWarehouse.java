package io.insighthub.workers.warehouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Properties;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The embedded default warehouse: a DuckDB database file, one writer process at a time. Stage
 * tables are temporary tables filled through DuckDB's appender (batched binds manage about 1K
 * rows/s; the appender is what makes 50K changed rows/s possible).
 */
public final class DuckDbWarehouse extends JdbcWarehouse {
  private DuckDbWarehouse(java.sql.Connection connection) {
    super(connection);
  }

  /** Opens (creating when missing) the database file and its schemas, with the default settings. */
  public static DuckDbWarehouse open(Path file) {
    return open(file, new Properties());
  }

  /**
   * Opens (creating when missing) the database file and its schemas. {@code settings} are DuckDB
   * configuration options (the connection Secret's keys besides {@code url}, e.g. {@code
   * memory_limit}, {@code checkpoint_threshold}). {@code threads} defaults to 1: a loader's
   * statements touch one batch, and the idle workers of DuckDB's default pool (one per core) cost
   * the stages beside it CPU (BENCHMARKS.md, end to end at 25K events/s).
   */
  public static DuckDbWarehouse open(Path file, Properties settings) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      Properties config = new Properties();
      config.setProperty("threads", "1");
      config.putAll(settings);
      DuckDbWarehouse warehouse =
          new DuckDbWarehouse(
              DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), config));
      warehouse.init();
      return warehouse;
    } catch (SQLException e) {
      throw new WarehouseException("cannot open DuckDB at " + file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  StageWriter stageWriter(String stage, List<Column> columns) throws SQLException {
    String name = stage.substring(1, stage.length() - 1);
    DuckDBAppender appender =
        connection.unwrap(DuckDBConnection.class).createAppender("temp", "main", name);
    return new StageWriter() {
      @Override
      public void add(Object[] row) throws SQLException {
        appender.beginRow();
        for (int i = 0; i < columns.size(); i++) {
          append(appender, row[i]);
        }
        appender.endRow();
      }

      @Override
      public void close() throws SQLException {
        try {
          appender.flush();
        } finally {
          appender.close();
        }
      }
    };
  }

  private static void append(DuckDBAppender appender, Object value) throws SQLException {
    switch (value) {
      case null -> appender.appendNull();
      case Long v -> appender.append(v.longValue());
      case Integer v -> appender.append(v.longValue());
      case Boolean v -> appender.append(v.booleanValue());
      case Double v -> appender.append(v.doubleValue());
      case BigDecimal v -> appender.append(v);
      case String v -> appender.append(v);
      case LocalDate v -> appender.append(v);
      case LocalDateTime v -> appender.append(v);
      case OffsetDateTime v -> appender.append(v);
      case java.sql.Timestamp v -> appender.append(v.toLocalDateTime());
      case java.sql.Date v -> appender.append(v.toLocalDate());
      default -> appender.append(value.toString());
    }
  }

  /**
   * The MERGE's clauses as separate statements ({@link WarehouseSql#cdcStatements}): DuckDB's
   * {@code MERGE} took 10-40 s instead of ~0.1 s for some batches of 50K updates of a 100K-row
   * table (every second batch when the updates walk the keys in order), its {@code UPDATE ... FROM}
   * and {@code INSERT ... SELECT} take 0.1-0.7 s for all of them (BENCHMARKS.md).
   */
  @Override
  int applyStage(ChangeSet set, String stage) throws SQLException {
    int applied = 0;
    try (Statement statement = connection.createStatement()) {
      for (String sql :
          WarehouseSql.cdcStatements(
              set.table(), stage, set.columns(), set.key(), set.softDeletes())) {
        applied += statement.executeUpdate(sql);
      }
    }
    return applied;
  }

  @Override
  String stageName(int n) {
    return "\"STAGE_" + n + "\"";
  }
}
