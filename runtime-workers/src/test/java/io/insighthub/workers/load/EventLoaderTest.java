package io.insighthub.workers.load;

import io.insighthub.workers.warehouse.DuckDbWarehouse;
import io.insighthub.workers.warehouse.JdbcWarehouse;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The event loader contract against DuckDB, a fresh database file per test. */
class EventLoaderTest extends EventLoaderContract {
  @TempDir Path dir;

  @Override
  protected JdbcWarehouse openWarehouse() {
    return DuckDbWarehouse.open(dir.resolve("wh.duckdb"));
  }
}
