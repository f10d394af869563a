package io.insighthub.workers.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.WorkerContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Throughput of the cdc-load stage into DuckDB with the effectively-once MERGE: Debezium change
 * records (JSON with schemas, as the connector writes them) already in the real broker, consumed
 * and merged by the real stage. Run with {@code -Pbenchmark} (see BENCHMARKS.md).
 */
@ExtendWith(KafkaBrokerExtension.class)
class CdcLoadBenchmark {
  private static final int KEYS = Integer.getInteger("bench.keys", 100_000);
  private static final int UPDATES = Integer.getInteger("bench.updates", 400_000);

  @Test
  void changedRowsPerSecondIntoDuckDb(KafkaBroker broker) throws Exception {
    String prefix = "bench" + System.nanoTime();
    DebeziumEvents orders =
        new DebeziumEvents(prefix, "public.orders", true, "id")
            .column("id", "int64", null, null)
            .column("account_id", "int64", null, null)
            .column("status", "string", null, null)
            .column("amount", "double", null, null)
            .column("note", "string", null, null);
    int total = KEYS + UPDATES;
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.LINGER_MS_CONFIG,
                20,
                ProducerConfig.BATCH_SIZE_CONFIG,
                512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4"))) {
      for (int i = 0; i < total; i++) {
        long id = i % KEYS;
        Map<String, Object> row =
            DebeziumEvents.row(
                "id",
                id,
                "account_id",
                id % 977,
                "status",
                i < KEYS ? "open" : "paid-" + i % 7,
                "amount",
                i * 0.25,
                "note",
                "order note " + i);
        ConsumerRecord<String, String> record =
            i < KEYS ? orders.create(1_000 + i, row) : orders.update(1_000 + i, row);
        producer.send(new ProducerRecord<>(record.topic(), record.key(), record.value()));
      }
    }

    WorkerConfig config =
        DebeziumTestConfig.cdcLoad(
            broker.bootstrapServers(),
            "bench",
            "orders",
            prefix,
            List.of("public.orders"),
            null,
            Path.of("target", "bench").toAbsolutePath());
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    WorkerContext context =
        new WorkerContext(config, metrics, new WorkerContext.Health(), new CountDownLatch(1));
    ExecutorService executor = Executors.newSingleThreadExecutor();
    long started = System.nanoTime();
    Future<Integer> stage = executor.submit(() -> new CdcLoadStage().run(context));
    // The steady state starts when the first batch has been applied: before it, the stage opens
    // DuckDB (unpacking its native library), finds the topic and warms up.
    long[] firstBatch = new long[2];
    await()
        .atMost(Duration.ofMinutes(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              double applied = metrics.counter(CdcLoadMetrics.APPLIED).count();
              if (firstBatch[0] == 0 && applied > 0) {
                firstBatch[0] = System.nanoTime();
                firstBatch[1] = (long) applied;
              }
              return metrics.counter(CdcLoadMetrics.RECORDS).count() >= total;
            });
    long finished = System.nanoTime();
    double seconds = (finished - started) / 1e9;
    double steadySeconds = (finished - firstBatch[0]) / 1e9;
    context.stopRequested().countDown();
    assertThat(stage.get()).isZero();
    executor.shutdown();
    double applied = metrics.counter(CdcLoadMetrics.APPLIED).count();
    var batch = metrics.timer(CdcLoadMetrics.BATCH);
    System.out.printf(
        "cdc-load benchmark: %d change records (%d keys) in %.1f s: %.0f records/s, %.0f changed"
            + " rows/s after collapsing (%.0f rows merged); %d batches, mean batch %.0f ms, max %.0f"
            + " ms; steady state (after the first batch, %.1f s after the start): %.0f changed"
            + " rows/s%n",
        total,
        KEYS,
        seconds,
        total / seconds,
        applied / seconds,
        applied,
        batch.count(),
        batch.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
        batch.max(java.util.concurrent.TimeUnit.MILLISECONDS),
        (firstBatch[0] - started) / 1e9,
        (applied - firstBatch[1]) / steadySeconds);
  }
}
