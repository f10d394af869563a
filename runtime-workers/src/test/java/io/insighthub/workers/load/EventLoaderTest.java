package io.insighthub.workers.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.workers.warehouse.DuckDbWarehouse;
import io.insighthub.workers.warehouse.JdbcWarehouse;
import io.insighthub.workers.warehouse.TableId;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event loader contract against DuckDB, a fresh database file per test. */
class EventLoaderTest extends EventLoaderContract {
  @TempDir Path dir;

  @Override
  protected JdbcWarehouse openWarehouse() {
    return DuckDbWarehouse.open(dir.resolve("wh.duckdb"));
  }

  /**
   * Every kind of JSON value lands as it did when values were read through a JSON tree: integers
   * that fit a long as BIGINT, larger ones and decimals as DOUBLE, booleans as BOOLEAN, objects and
   * arrays as their compact JSON text, a repeated name's last value, and nothing after the object.
   */
  @Test
  void eachKindOfJsonValueLoadsAsItsColumnType() {
    try (JdbcWarehouse warehouse = openWarehouse()) {
      EventLoader loader =
          new EventLoader(
              warehouse,
              "load.kinds",
              List.of(
                  new EventLoader.Target(
                      "kinds", new TableId("VALIDATED", "KINDS"), List.of("event_id"), "at")));
      String value =
          "{\"event_id\":\"e1\",\"at\":\"2026-11-27T01:00:00Z\",\"count\":3,"
              + "\"big\":12345678901234567890123,\"amount\":12.5,\"flag\":true,\"nothing\":null,"
              + "\"nested\": {\"a\": [1, 2], \"b\": \"x\"},\"list\":[1,\"two\",null],"
              + "\"Dup\":1,\"dup\":2} trailing";
      EventLoader.Report report =
          loader.load(
              List.of(
                  new ConsumerRecord<>("kinds", 0, 0, null, value),
                  new ConsumerRecord<>("kinds", 0, 1, null, "[{\"event_id\":\"e2\"}]")));
      assertThat(report.quarantined()).isEqualTo(1);
      List<Map<String, Object>> rows = warehouse.query("SELECT * FROM \"VALIDATED\".\"KINDS\"");
      assertThat(rows).hasSize(1);
      Map<String, Object> row = rows.getFirst();
      assertThat(row.get("COUNT")).isEqualTo(3L);
      assertThat(row.get("BIG")).isEqualTo(1.2345678901234568E22);
      assertThat(row.get("AMOUNT")).isEqualTo(12.5);
      assertThat(row.get("FLAG")).isEqualTo(true);
      assertThat(row.get("NOTHING")).isNull();
      assertThat(row.get("NESTED")).isEqualTo("{\"a\":[1,2],\"b\":\"x\"}");
      assertThat(row.get("LIST")).isEqualTo("[1,\"two\",null]");
      assertThat(row.get("DUP")).isEqualTo(2L);
    }
  }
}
