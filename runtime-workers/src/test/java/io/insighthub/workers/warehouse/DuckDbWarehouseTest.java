package io.insighthub.workers.warehouse;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The warehouse contract against DuckDB, a fresh database file per test. */
class DuckDbWarehouseTest extends WarehouseContract {
  @TempDir Path dir;

  @Override
  protected JdbcWarehouse openWarehouse() {
    return DuckDbWarehouse.open(dir.resolve("wh.duckdb"));
  }
}
