package io.insighthub.workers.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.SinkSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Throughput of the load stage into DuckDB: validated events (as validate writes them, ~700 bytes,
 * PII already minimized) in a 2-partition topic of the real broker, merged on their event id by the
 * real stage with the offsets in the same transaction. Run with {@code -Pbenchmark} (see
 * BENCHMARKS.md); sizes with {@code -Dbench.events}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class EventLoadBenchmark {
  private static final int EVENTS = Integer.getInteger("bench.events", 300_000);

  @Test
  void eventsPerSecondIntoDuckDb(KafkaBroker broker) throws Exception {
    String prefix = "loadbench" + System.nanoTime();
    Topics.create(broker, 2, prefix + ".validated", prefix + ".watermarks");
    produce(broker, prefix + ".validated");

    Path dir = Files.createDirectories(Path.of("target", "bench", prefix).toAbsolutePath());
    Path secret = Files.createDirectories(dir.resolve("sink"));
    Path warehouse = dir.resolve("wh.duckdb");
    Files.writeString(secret.resolve("url"), "jdbc:duckdb:" + warehouse);
    EventsSource events = new EventsSource();
    events.eventTimeField = "occurred_at";
    WorkerConfig config =
        new WorkerConfig(
            WorkerConfig.CURRENT_VERSION,
            "bench",
            prefix,
            new WorkerConfig.Kafka(
                broker.bootstrapServers(),
                prefix + ".raw",
                prefix + ".validated",
                prefix + ".dlq",
                prefix + ".late",
                prefix + ".watermarks"),
            events,
            null,
            null,
            null,
            List.of(),
            new WorkerConfig.Sink(
                secret.toString(), "ANALYTICS", null, "EVENTS", SinkSpec.Mode.MERGE),
            null,
            null);
    java.time.Duration jvmStart = jvmCpu();
    java.time.Duration brokerCpu = broker.cpuTime();
    long started = System.nanoTime();
    long first = 0;
    double firstCount = 0;
    RunningStage stage = RunningStage.start(new LoadStage(), config);
    try (stage) {
      while (stage.count(LoadMetrics.RECORDS) < EVENTS) {
        assertThat(stage.hasExited()).as("load exited early").isFalse();
        if (first == 0 && stage.count(LoadMetrics.RECORDS) > 0) {
          first = System.nanoTime();
          firstCount = stage.count(LoadMetrics.RECORDS);
        }
        // Polling a counter, not waiting for a condition in a test: a short park is enough.
        LockSupport.parkNanos(20_000_000);
      }
    }
    long finished = System.nanoTime();
    double jvmUs = jvmCpu().minus(jvmStart).toNanos() / 1e3 / EVENTS;
    double brokerUs = broker.cpuTime().minus(brokerCpu).toNanos() / 1e3 / EVENTS;
    var batch = stage.metrics().timer(LoadMetrics.BATCH);
    System.out.printf(
        "load benchmark: %,d validated events in %.1f s (%,.0f events/s from start); steady"
            + " state (after the first batch, %.1f s after the start): %,.0f events/s; %d"
            + " batches, mean %.0f ms, max %.0f ms; CPU per event (start-up included): this JVM"
            + " %.1f us, broker %.1f us; load average %s%n",
        EVENTS,
        (finished - started) / 1e9,
        EVENTS / ((finished - started) / 1e9),
        (first - started) / 1e9,
        (EVENTS - firstCount) / ((finished - first) / 1e9),
        batch.count(),
        batch.mean(TimeUnit.MILLISECONDS),
        batch.max(TimeUnit.MILLISECONDS),
        jvmUs,
        brokerUs,
        Files.readString(Path.of("/proc/loadavg")).trim());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + warehouse);
        ResultSet rows =
            c.createStatement()
                .executeQuery("SELECT count(*), count(DISTINCT event_id) FROM VALIDATED.EVENTS")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(EVENTS);
      assertThat(rows.getLong(2)).isEqualTo(EVENTS);
    }
  }

  private static java.time.Duration jvmCpu() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
  }

  /**
   * Validate's output for the workers benchmark's events: email hashed, ip dropped, phone masked.
   */
  private static void produce(KafkaBroker broker, String topic) {
    Instant start = Instant.parse("2026-11-20T00:00:00Z");
    String padding = "x".repeat(400);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG,
                20,
                ProducerConfig.BATCH_SIZE_CONFIG,
                256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4"),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < EVENTS; i++) {
        String id = "ev-" + i;
        String json =
            "{\"event_id\":\""
                + id
                + "\",\"occurred_at\":\""
                + start.plusMillis(i * 5L)
                + "\",\"event_type\":\""
                + (i % 10 == 0 ? "api_call" : "page_view")
                + "\",\"account_id\":\"acct-"
                + (i % 500)
                + "\",\"user_id\":\"user-"
                + (i % 20_000)
                + "\",\"email\":\""
                + "%064x".formatted(i * 2654435761L)
                + "\",\"phone\":\"***\",\"amount\":12.5,\"count\":3,"
                + "\"properties\":{\"path\":\"/products/"
                + i
                + "\",\"pad\":\""
                + padding
                + "\"}}";
        producer.send(
            new ProducerRecord<>(
                topic, id.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }
}
