package io.insighthub.workers.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbWarehouseTest extends WarehouseContract {
  @TempDir Path dir;

  @Override
  protected JdbcWarehouse openWarehouse() {
    return DuckDbWarehouse.open(dir.resolve("wh.duckdb"));
  }

  /**
   * The connection Secret's keys besides url are DuckDB settings; a loader's DuckDB runs one thread
   * unless the Secret says otherwise.
   */
  @Test
  void theSecretsOtherKeysAreDuckDbSettingsAndThreadsDefaultToOne() throws Exception {
    Path secret = Files.createDirectories(dir.resolve("secret"));
    Files.writeString(secret.resolve("url"), "jdbc:duckdb:" + dir.resolve("a.duckdb") + "\n");
    try (JdbcWarehouse warehouse = (JdbcWarehouse) Warehouse.open(secret)) {
      assertThat(warehouse.query("SELECT current_setting('threads') AS T"))
          .extracting(r -> ((Number) r.get("T")).longValue())
          .containsExactly(1L);
    }
    Files.writeString(secret.resolve("url"), "jdbc:duckdb:" + dir.resolve("b.duckdb"));
    Files.writeString(secret.resolve("threads"), "2");
    Files.writeString(secret.resolve("checkpoint_threshold"), "64MB");
    try (JdbcWarehouse warehouse = (JdbcWarehouse) Warehouse.open(secret)) {
      assertThat(
              warehouse.query(
                  "SELECT current_setting('threads') AS T,"
                      + " current_setting('checkpoint_threshold') AS C"))
          .extracting(r -> ((Number) r.get("T")).longValue(), r -> r.get("C"))
          .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, "61.0 MiB"));
    }
  }
}
