package io.insighthub.workers.warehouse;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The production warehouse through snowflake-jdbc. Bulk path: batched binds into a temporary stage
 * table, then one MERGE per table (the SQL DuckDB runs too). Why not our own PUT + COPY INTO: the
 * driver already turns a bind batch above {@code CLIENT_STAGE_ARRAY_BINDING_THRESHOLD} into a
 * compressed file on the session's internal stage and a server-side COPY, which is the staged-file
 * throughput (150K rows/s needs a few 50K-row batches per second) without managing named stages,
 * file formats and their cleanup; and fakesnow serves binds, not PUT. Not yet verified against
 * fakesnow: its MERGE translation only sees stage columns named in the INSERT clause (see
 * README.md, Warehouse and CDC loader).
 */
public final class SnowflakeWarehouse extends JdbcWarehouse {
  private SnowflakeWarehouse(java.sql.Connection connection) {
    super(connection);
  }

  /** Connects with the given driver properties (user, password, db, warehouse, ...). */
  public static SnowflakeWarehouse open(String url, Properties properties) {
    try {
      SnowflakeWarehouse warehouse =
          new SnowflakeWarehouse(DriverManager.getConnection(url, properties));
      warehouse.init();
      try (var statement = warehouse.connection.createStatement()) {
        // Temporary stage tables are created unqualified, in the current schema.
        statement.execute("USE SCHEMA \"OPS\"");
      }
      return warehouse;
    } catch (SQLException e) {
      throw new WarehouseException("cannot connect to Snowflake: " + e.getMessage(), e);
    }
  }

  @Override
  String stageName(int n) {
    return "\"STAGE_" + n + "\"";
  }
}
