package io.insighthub.workers.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.v1alpha1.CdcSourceSpec;
import io.insighthub.crds.v1alpha1.SinkSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.connect.KafkaConnect;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.e2e.postgres.PostgresServer;
import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.warehouse.DuckDbWarehouse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Freshness of cdc-load at a steady load: rows committed in real PostgreSQL, captured by real
 * Debezium in Kafka Connect, loaded by the real stage; latency is {@code _LOADED_AT - _SOURCE_TS}
 * (load transaction start minus PostgreSQL commit). Run with {@code -Pbenchmark}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CdcFreshnessBenchmark {
  private static final int ROWS_PER_SECOND = Integer.getInteger("bench.rate", 2_000);
  private static final int SECONDS = Integer.getInteger("bench.seconds", 30);
  private static final Path WORK = Path.of("target", "bench", "freshness").toAbsolutePath();

  @Test
  void commitToVisibleLatencyAtSteadyLoad(KafkaBroker broker) throws Exception {
    String prefix = "fresh" + System.nanoTime();
    try (PostgresServer postgres = PostgresServer.start(WORK.resolve("postgres"));
        KafkaConnect connect =
            KafkaConnect.start(WORK.resolve("connect"), broker.bootstrapServers(), prefix)) {
      try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"));
          Statement statement = admin.createStatement()) {
        statement.execute("CREATE DATABASE shop");
      }
      try (Connection source = DriverManager.getConnection(postgres.jdbcUrl("shop"))) {
        source
            .createStatement()
            .execute(
                "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint, status text,"
                    + " amount numeric(12,2))");
        connect.putConnector(
            "shop",
            DebeziumTestConfig.connector(
                connect,
                postgres.host(),
                postgres.port(),
                "shop",
                prefix,
                List.of("public.orders"),
                "shop_slot",
                "shop_pub"));
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> connect.status("shop"), s -> s.equals("RUNNING [RUNNING]"));

        Path secret = Files.createDirectories(WORK.resolve(prefix));
        Path file = WORK.resolve(prefix + ".duckdb");
        Files.writeString(secret.resolve("url"), "jdbc:duckdb:" + file);
        WorkerConfig config =
            new WorkerConfig(
                WorkerConfig.CURRENT_VERSION,
                "bench",
                "shop",
                new WorkerConfig.Kafka(broker.bootstrapServers(), null, null, null, null, null),
                null,
                new WorkerConfig.Cdc(
                    prefix, List.of("public.orders"), CdcSourceSpec.DeleteMode.SOFT),
                null,
                null,
                List.of(),
                new WorkerConfig.Sink(
                    secret.toString(), "ANALYTICS", "RAW", null, SinkSpec.Mode.MERGE),
                null,
                null);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        WorkerContext context =
            new WorkerContext(config, metrics, new WorkerContext.Health(), new CountDownLatch(1));
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Future<Integer> stage = executor.submit(() -> new CdcLoadStage().run(context));

        // Steady load: one transaction of rate/10 rows every 100 ms, paced by the clock.
        source.setAutoCommit(false);
        int perTick = ROWS_PER_SECOND / 10;
        long start = System.nanoTime();
        long id = 0;
        try (PreparedStatement insert =
            source.prepareStatement(
                "INSERT INTO orders (id, account_id, status, amount) VALUES (?, ?, 'open', 9.99)")) {
          for (int tick = 0; tick < SECONDS * 10; tick++) {
            for (int i = 0; i < perTick; i++) {
              insert.setLong(1, id++);
              insert.setLong(2, id % 977);
              insert.addBatch();
            }
            insert.executeBatch();
            source.commit();
            long next = start + (tick + 1) * 100_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
              // Pacing the load generator, not waiting for a result.
              TimeUnit.NANOSECONDS.sleep(wait);
            }
          }
        }
        long total = id;
        await()
            .atMost(Duration.ofMinutes(5))
            .until(() -> metrics.counter(CdcLoadMetrics.APPLIED).count() >= total);
        context.stopRequested().countDown();
        assertThat(stage.get()).isZero();
        executor.shutdown();
        connect.deleteConnector("shop");
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file)) {
          Map<String, Object> q =
              warehouse
                  .query(
                      "SELECT count(*) AS N, quantile_cont(epoch_ms(\"_LOADED_AT\") -"
                          + " epoch_ms(\"_SOURCE_TS\"), 0.5) AS P50, quantile_cont(epoch_ms(\"_LOADED_AT\")"
                          + " - epoch_ms(\"_SOURCE_TS\"), 0.99) AS P99, max(epoch_ms(\"_LOADED_AT\") -"
                          + " epoch_ms(\"_SOURCE_TS\")) AS MAX FROM \"RAW\".\"ORDERS\"")
                  .getFirst();
          var batch = metrics.timer(CdcLoadMetrics.BATCH);
          System.out.printf(
              "cdc-load freshness: %s rows at %d rows/s for %d s: commit-to-load p50 %.0f ms, p99"
                  + " %.0f ms, max %s ms; batch apply mean %.0f ms, max %.0f ms%n",
              q.get("N"),
              ROWS_PER_SECOND,
              SECONDS,
              ((Number) q.get("P50")).doubleValue(),
              ((Number) q.get("P99")).doubleValue(),
              q.get("MAX"),
              batch.mean(TimeUnit.MILLISECONDS),
              batch.max(TimeUnit.MILLISECONDS));
        }
      }
    }
  }
}
