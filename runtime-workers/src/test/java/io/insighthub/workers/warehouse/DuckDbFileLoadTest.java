package io.insighthub.workers.warehouse;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class DuckDbFileLoadTest extends FileLoadContract {
  @TempDir Path dir;

  @Override
  protected JdbcWarehouse openWarehouse() {
    return DuckDbWarehouse.open(dir.resolve("wh.duckdb"));
  }
}
