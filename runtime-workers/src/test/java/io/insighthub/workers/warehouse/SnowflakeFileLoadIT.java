package io.insighthub.workers.warehouse;

import io.insighthub.e2e.fakesnow.FakesnowExtension;
import io.insighthub.e2e.fakesnow.FakesnowServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The file-load contract against Snowflake: the real snowflake-jdbc driver talking to a fakesnow
 * server, a fresh database per test.
 */
@ExtendWith(FakesnowExtension.class)
class SnowflakeFileLoadIT extends FileLoadContract {
  private static FakesnowServer fakesnow;

  @BeforeAll
  static void server(FakesnowServer server) {
    fakesnow = server;
  }

  @Override
  protected JdbcWarehouse openWarehouse() {
    return SnowflakeWarehouses.open(fakesnow);
  }
}
