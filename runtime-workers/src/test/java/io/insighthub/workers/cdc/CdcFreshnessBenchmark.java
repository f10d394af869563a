package io.insighthub.workers.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.connect.KafkaConnect;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.e2e.postgres.PostgresServer;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.testing.Topics;
import io.insighthub.workers.warehouse.DuckDbWarehouse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Freshness of cdc-load at a steady load: rows committed in real PostgreSQL, captured by real
 * Debezium in Kafka Connect, loaded by the real stage; latency is {@code _LOADED_AT - _SOURCE_TS}
 * (load transaction start minus PostgreSQL commit). Beside the loaded {@code orders}, the source's
 * {@code plans} table never changes: its freshness is what the heartbeat proofs (watermarks' {@code
 * caughtUpTo}) say while {@code orders} keeps the connector and loader busy. Run with {@code
 * -Pbenchmark}.
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
        source.createStatement().execute("CREATE TABLE plans (id bigint PRIMARY KEY, name text)");
        source.createStatement().execute("INSERT INTO plans VALUES (1, 'free')");
        DebeziumTestConfig.startConnector(
            connect,
            postgres.host(),
            postgres.port(),
            "shop",
            prefix,
            List.of("public.orders", "public.plans"),
            "shop_slot",
            "shop_pub");
        WorkerConfig config =
            DebeziumTestConfig.cdcLoad(
                broker.bootstrapServers(),
                "bench",
                "shop",
                prefix,
                List.of("public.orders", "public.plans"),
                "watermarks." + prefix,
                WORK);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        WorkerContext context =
            new WorkerContext(config, metrics, new WorkerContext.Health(), new CountDownLatch(1));
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Future<Integer> stage = executor.submit(() -> new CdcLoadStage().run(context));

        // Warm-up: one row through the whole path first, so the figures are the steady state
        // (the connector streaming, the table's topic created and assigned to the loader), not
        // the start-up. Its id is -1, outside the measured rows.
        try (Statement warmUp = source.createStatement()) {
          warmUp.execute(
              "INSERT INTO orders (id, account_id, status, amount) VALUES (-1, 0, 'warm', 0)");
        }
        await()
            .atMost(Duration.ofMinutes(2))
            .until(() -> metrics.counter(CdcLoadMetrics.APPLIED).count() >= 1);
        double warmUpApplied = metrics.counter(CdcLoadMetrics.APPLIED).count();

        // Steady load: one transaction of rate/10 rows every 100 ms, paced by the clock.
        source.setAutoCommit(false);
        int perTick = ROWS_PER_SECOND / 10;
        long start = System.nanoTime();
        Instant loadStarted = Instant.now();
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
        Instant loadEnded = Instant.now();
        await()
            .atMost(Duration.ofMinutes(5))
            .until(() -> metrics.counter(CdcLoadMetrics.APPLIED).count() >= total + warmUpApplied);
        context.stopRequested().countDown();
        assertThat(stage.get()).isZero();
        executor.shutdown();
        connect.deleteConnector("shop");
        // Where the time goes, per row: the connector (PostgreSQL commit to the Kafka record's
        // timestamp, which Connect's producer sets when it sends the change) and the loader (the
        // record's timestamp to the start of the warehouse transaction that loaded it).
        Map<Long, Long> produced = recordTimestamps(broker, prefix + ".public.orders", total + 1);
        List<Long> endToEnd = new ArrayList<>();
        List<Long> connector = new ArrayList<>();
        List<Long> loader = new ArrayList<>();
        try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(WORK.resolve(prefix + ".duckdb"))) {
          for (Map<String, Object> row :
              warehouse.query(
                  "SELECT \"ID\" AS ID, epoch_ms(\"_SOURCE_TS\") AS SOURCE_MS,"
                      + " epoch_ms(\"_LOADED_AT\") AS LOADED_MS FROM \"RAW\".\"ORDERS\""
                      + " WHERE \"ID\" >= 0")) {
            long sourceMs = ((Number) row.get("SOURCE_MS")).longValue();
            long loadedMs = ((Number) row.get("LOADED_MS")).longValue();
            Long producedMs = produced.get(((Number) row.get("ID")).longValue());
            endToEnd.add(loadedMs - sourceMs);
            if (producedMs != null) {
              connector.add(producedMs - sourceMs);
              loader.add(loadedMs - producedMs);
            }
          }
        }
        List<Watermark> plans =
            watermarks(broker, "watermarks." + prefix).stream()
                .filter(m -> m.table().equals("RAW.PLANS"))
                .filter(
                    m -> !m.loadTime().isBefore(loadStarted) && m.loadTime().isBefore(loadEnded))
                .toList();
        var batch = metrics.timer(CdcLoadMetrics.BATCH);
        System.out.printf(
            "cdc-load freshness: %d rows at %d rows/s for %d s: commit-to-load %s; connector"
                + " (commit to Kafka record) %s; loader (Kafka record to load) %s; batch apply"
                + " mean %.0f ms, max %.0f ms; quiet table plans during the load: %s; load average"
                + " %s%n",
            endToEnd.size(),
            ROWS_PER_SECOND,
            SECONDS,
            percentiles(endToEnd),
            percentiles(connector),
            percentiles(loader),
            batch.mean(TimeUnit.MILLISECONDS),
            batch.max(TimeUnit.MILLISECONDS),
            proofs(plans, "RAW.PLANS"),
            loadAverage());
        assertThat(endToEnd).hasSize((int) total);
      }
    }
  }

  /**
   * The heartbeat proofs of one table among {@code marks}: how many, the lag they showed when
   * published ({@code loadTime - caughtUpTo}), the time between them, and the worst lag the
   * operator saw (the previous proof's {@code caughtUpTo} to the next one's publication).
   */
  static String proofs(List<Watermark> marks, String table) {
    List<Watermark> proven =
        marks.stream()
            .filter(m -> m.table().equals(table) && m.caughtUpTo() != null && m.rows() == 0)
            .sorted(java.util.Comparator.comparing(Watermark::loadTime))
            .toList();
    List<Long> atPublish = new ArrayList<>();
    List<Long> between = new ArrayList<>();
    List<Long> worst = new ArrayList<>();
    for (int i = 0; i < proven.size(); i++) {
      Watermark mark = proven.get(i);
      atPublish.add(Duration.between(mark.caughtUpTo(), mark.loadTime()).toMillis());
      if (i > 0) {
        Watermark before = proven.get(i - 1);
        between.add(Duration.between(before.loadTime(), mark.loadTime()).toMillis());
        worst.add(Duration.between(before.caughtUpTo(), mark.loadTime()).toMillis());
      }
    }
    return String.format(
        "%d proofs, lag at publication %s, between proofs %s, lag just before the next proof %s",
        proven.size(), percentiles(atPublish), percentiles(between), percentiles(worst));
  }

  /** Every watermark published to {@code topic} so far. */
  static List<Watermark> watermarks(KafkaBroker broker, String topic) throws Exception {
    List<Watermark> marks = new ArrayList<>();
    try (Topics.Reader reader = Topics.reader(broker, topic)) {
      for (ConsumerRecord<byte[], byte[]> record : reader.readToEnd(Duration.ofMinutes(1))) {
        marks.add(ConfigLoader.JSON.readValue(record.value(), Watermark.class));
      }
    }
    return marks;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return "n/a";
    }
  }

  /** p50 / p99 / max of latencies in ms. */
  private static String percentiles(List<Long> millis) {
    if (millis.isEmpty()) {
      return "n/a";
    }
    List<Long> sorted = millis.stream().sorted().toList();
    return String.format(
        "p50 %d ms, p99 %d ms, max %d ms",
        sorted.get((int) Math.floor(0.50 * (sorted.size() - 1))),
        sorted.get((int) Math.floor(0.99 * (sorted.size() - 1))),
        sorted.getLast());
  }

  /** The timestamp of each change record of {@code topic}, by the row id in its key. */
  private static Map<Long, Long> recordTimestamps(KafkaBroker broker, String topic, long expected) {
    Map<Long, Long> timestamps = new HashMap<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class))) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (timestamps.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          try {
            long id = KEYS.readTree(record.key()).path("payload").path("id").asLong();
            timestamps.put(id, record.timestamp());
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    }
    return timestamps;
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper KEYS =
      new com.fasterxml.jackson.databind.ObjectMapper();
}
