package io.insighthub.workers.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.v1alpha1.SinkSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.testing.BenchmarkEvents;
import io.insighthub.workers.testing.CpuUse;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.Topics;
import io.insighthub.workers.validate.BenchmarkConfigs;
import io.insighthub.workers.validate.ValidatedEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Locale;
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
 * Throughput of the load stage into DuckDB: validated events (the benchmarks' raw events through
 * validate's own code, ~900 bytes, PII minimized) in a 2-partition topic of the real broker, merged
 * on their event id by the real stage with the offsets in the same transaction. Run with {@code
 * -Pbenchmark} (see BENCHMARKS.md); sizes with {@code -Dbench.events}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class EventLoadBenchmark {
  private static final int EVENTS = Integer.getInteger("bench.events", 300_000);

  /** The sink's mode: {@code merge} (the default) or {@code append} (the product-events sample). */
  private static final SinkSpec.Mode MODE =
      SinkSpec.Mode.valueOf(System.getProperty("bench.mode", "merge").toUpperCase(Locale.ROOT));

  @Test
  void eventsPerSecondIntoDuckDb(KafkaBroker broker) throws Exception {
    String prefix = "loadbench" + System.nanoTime();
    Topics.create(broker, 2, prefix + ".validated", prefix + ".watermarks");
    produce(broker, prefix);

    Path dir = Files.createDirectories(Path.of("target", "bench", prefix).toAbsolutePath());
    Path warehouse = dir.resolve("wh.duckdb");
    WorkerConfig config =
        LoadConfigs.events(broker.bootstrapServers(), prefix, dir, warehouse, List.of(), MODE);
    CpuUse cpu = new CpuUse(broker).start();
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
    String cpuPerEvent = cpu.perEvent(EVENTS);
    var batch = stage.metrics().timer(LoadMetrics.BATCH);
    System.out.printf(
        "load benchmark (%s): %,d validated events in %.1f s (%,.0f events/s from start); steady"
            + " state (after the first batch, %.1f s after the start): %,.0f events/s; %d"
            + " batches, mean %.0f ms, max %.0f ms; %s (start-up included); load average %s%n",
        MODE.name().toLowerCase(Locale.ROOT),
        EVENTS,
        (finished - started) / 1e9,
        EVENTS / ((finished - started) / 1e9),
        (first - started) / 1e9,
        (EVENTS - firstCount) / ((finished - first) / 1e9),
        batch.count(),
        batch.mean(TimeUnit.MILLISECONDS),
        batch.max(TimeUnit.MILLISECONDS),
        cpuPerEvent,
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

  /** {@link BenchmarkEvents} with RFC 3339 times, as validate writes them (its own code). */
  private static void produce(KafkaBroker broker, String prefix) throws Exception {
    ValidatedEvents validate =
        new ValidatedEvents(
            BenchmarkConfigs.validate(
                broker.bootstrapServers(),
                prefix,
                SchemaDriftCheck.Policy.EVOLVE,
                Files.writeString(
                    Files.createTempFile("hmac-key", ""), "bench-key", StandardCharsets.UTF_8)));
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
        producer.send(
            new ProducerRecord<>(
                prefix + ".validated",
                BenchmarkEvents.id(i).getBytes(StandardCharsets.UTF_8),
                validate.apply(BenchmarkEvents.raw(i, true))));
      }
      producer.flush();
    }
  }
}
