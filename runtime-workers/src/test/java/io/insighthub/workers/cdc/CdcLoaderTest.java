package io.insighthub.workers.cdc;

import io.insighthub.workers.warehouse.DuckDbWarehouse;
import io.insighthub.workers.warehouse.JdbcWarehouse;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The CDC loader contract against DuckDB, a fresh database file per test. */
class CdcLoaderTest extends CdcLoaderContract {
  @TempDir Path dir;

  @Override
  protected JdbcWarehouse openWarehouse() {
    return DuckDbWarehouse.open(dir.resolve("wh.duckdb"));
  }
}
