package io.insighthub.workers.warehouse;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The production warehouse through snowflake-jdbc. Bulk path: batched binds into a temporary stage
 * table, then one MERGE per table. The driver turns a large bind batch into a staged file and a
 * server-side COPY by itself (array binding above {@code CLIENT_STAGE_ARRAY_BINDING_THRESHOLD}), so
 * this gets the staged-file throughput without managing stages, and it is also what fakesnow serves
 * for tests.
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
      return warehouse;
    } catch (SQLException e) {
      throw new WarehouseException("cannot connect to Snowflake: " + e.getMessage(), e);
    }
  }

  @Override
  String stageName(int n) {
    return "\"OPS\".\"STAGE_" + n + "\"";
  }
}
