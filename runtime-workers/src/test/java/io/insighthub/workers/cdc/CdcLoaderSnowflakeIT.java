package io.insighthub.workers.cdc;

import io.insighthub.e2e.fakesnow.FakesnowExtension;
import io.insighthub.e2e.fakesnow.FakesnowServer;
import io.insighthub.workers.warehouse.JdbcWarehouse;
import io.insighthub.workers.warehouse.SnowflakeWarehouses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The CDC loader contract against Snowflake: snowflake-jdbc talking to a fakesnow server. */
@ExtendWith(FakesnowExtension.class)
class CdcLoaderSnowflakeIT extends CdcLoaderContract {
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
