package io.insighthub.workers.warehouse;

import io.insighthub.e2e.fakesnow.FakesnowServer;

/** Opens a {@link SnowflakeWarehouse} on a fresh fakesnow database (for tests in any package). */
public final class SnowflakeWarehouses {
  private SnowflakeWarehouses() {}

  public static SnowflakeWarehouse open(FakesnowServer server) {
    FakesnowServer.Connection connection = server.connection();
    return SnowflakeWarehouse.open(connection.url(), connection.properties());
  }
}
