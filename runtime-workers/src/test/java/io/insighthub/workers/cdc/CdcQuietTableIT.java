package io.insighthub.workers.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.connect.KafkaConnect;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.e2e.postgres.PostgresServer;
import io.insighthub.operator.freshness.FreshnessEvaluator;
import io.insighthub.operator.freshness.FreshnessReport;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.WorkerContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A CdcSource whose tables get no change for longer than their SLA while the connector's heartbeats
 * flow: real PostgreSQL, real Debezium in Kafka Connect (heartbeat every second), the real broker
 * and cdc-load, judged by the operator's own {@link FreshnessEvaluator}. The tables stay within SLA
 * although their newest change is older than it; a change made afterwards is never claimed loaded
 * before it is; and once the connector stops (no more heartbeats) the lag grows past the SLA again.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CdcQuietTableIT {
  private static final Path WORK = Path.of("target", "test-bed", "cdc-quiet").toAbsolutePath();
  private static final Duration SLA = Duration.ofSeconds(15);
  private static final String PLANS = "RAW.PLANS";
  private static final String ORDERS = "RAW.ORDERS";

  @Test
  void quietTablesStayWithinSlaWhileHeartbeatsFlow(KafkaBroker broker) throws Exception {
    String prefix = "quiet" + System.nanoTime();
    String watermarkTopic = "watermarks." + prefix;
    try (PostgresServer postgres = PostgresServer.start(WORK.resolve("postgres"));
        KafkaConnect connect =
            KafkaConnect.start(WORK.resolve("connect"), broker.bootstrapServers(), prefix)) {
      try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"));
          Statement statement = admin.createStatement()) {
        statement.execute("CREATE DATABASE shop");
      }
      try (Connection source = DriverManager.getConnection(postgres.jdbcUrl("shop"));
          Statement sql = source.createStatement()) {
        sql.execute("CREATE TABLE plans (id bigint PRIMARY KEY, name text)");
        sql.execute("INSERT INTO plans VALUES (1, 'free'), (2, 'team')");
        // Never changes, not even in the snapshot: its topic never exists.
        sql.execute("CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric(12,2))");
        DebeziumTestConfig.startConnector(
            connect,
            postgres.host(),
            postgres.port(),
            "shop",
            prefix,
            List.of("public.plans", "public.orders"),
            "quiet_slot",
            "quiet_pub");
        WorkerConfig config =
            DebeziumTestConfig.cdcLoad(
                broker.bootstrapServers(),
                "it",
                "shop",
                prefix,
                List.of("public.plans", "public.orders"),
                watermarkTopic,
                WORK);
        WorkerContext context =
            new WorkerContext(
                config,
                new SimpleMeterRegistry(),
                new WorkerContext.Health(),
                new CountDownLatch(1));
        ExecutorService executor = Executors.newFixedThreadPool(2);
        Map<String, Watermark> latest = new ConcurrentHashMap<>();
        List<Watermark> all = new CopyOnWriteArrayList<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        Future<?> reader =
            executor.submit(
                () -> {
                  read(broker, watermarkTopic, latest, all, reading);
                  return null;
                });
        Future<Integer> stage = executor.submit(() -> new CdcLoadStage().run(context));
        try {
          await("the snapshot of plans loaded")
              .atMost(Duration.ofMinutes(2))
              .until(() -> latest.get(PLANS), m -> m != null && m.maxEventTime() != null);
          Instant snapshot = latest.get(PLANS).maxEventTime();
          Map<String, Duration> slas = Map.of(PLANS, SLA, ORDERS, SLA);

          // No change for twice the SLA: judged by the newest change alone, both tables are late.
          await("twice the SLA without a change")
              .atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofSeconds(1))
              .until(() -> Duration.between(snapshot, Instant.now()).compareTo(SLA.plus(SLA)) > 0);
          Instant now = Instant.now();
          Watermark plans = latest.get(PLANS);
          Watermark orders = latest.get(ORDERS);
          System.out.printf(
              "quiet CDC tables after %ds without a change: %s%n  %s%n",
              Duration.between(snapshot, now).toSeconds(), plans, orders);
          assertThat(plans.maxEventTime()).as("plans' newest change").isEqualTo(snapshot);
          assertThat(Duration.between(plans.maxEventTime(), now)).isGreaterThan(SLA);
          assertThat(plans.caughtUpTo()).as("plans complete as of").isNotNull();
          assertThat(Duration.between(plans.caughtUpTo(), now))
              .as("plans' completeness lag")
              .isLessThan(SLA);
          assertThat(orders).as("the watermark of a table that never had a row").isNotNull();
          assertThat(orders.maxEventTime()).isNull();
          assertThat(orders.caughtUpTo()).isNotNull();
          FreshnessReport quiet =
              FreshnessEvaluator.evaluate(slas, Map.copyOf(latest), snapshot, now);
          assertThat(quiet.met()).as(quiet.message()).isEqualTo("True");
          assertThat(quiet.reason()).isEqualTo(FreshnessEvaluator.REASON_WITHIN_SLA);
          assertThat(quiet.tables())
              .allSatisfy(t -> assertThat(t.completeAsOf).as(t.table).isNotNull());
          // Heartbeat watermarks come at most once per heartbeat (every second here).
          long published =
              all.stream()
                  .filter(m -> m.table().equals(PLANS))
                  .filter(m -> m.loadTime().isAfter(snapshot.plus(SLA)))
                  .count();
          assertThat(published)
              .as("watermarks of plans in the last %ds", Duration.between(snapshot, now))
              .isLessThanOrEqualTo(Duration.between(snapshot.plus(SLA), now).toSeconds() + 2);

          System.out.println("quiet CDC table proofs: " + CdcFreshnessBenchmark.proofs(all, PLANS));

          // A change: no watermark claims plans complete past it before it is loaded.
          sql.execute("UPDATE plans SET name = 'team+' WHERE id = 2");
          await("the update loaded")
              .atMost(Duration.ofMinutes(1))
              .until(() -> latest.get(PLANS).maxEventTime(), t -> t.isAfter(snapshot));
          Instant changed = latest.get(PLANS).maxEventTime();
          for (Watermark mark : all) {
            if (mark.table().equals(PLANS)
                && mark.caughtUpTo() != null
                && !mark.caughtUpTo().isBefore(changed)) {
              assertThat(mark.maxEventTime())
                  .as("a watermark of plans complete as of %s", mark.caughtUpTo())
                  .isEqualTo(changed);
            }
          }

          // The connector stops: no more heartbeats, so the quiet tables fall behind again.
          connect.setState("shop", "paused");
          await("the connector paused")
              .atMost(Duration.ofSeconds(30))
              .until(() -> connect.status("shop"), s -> s.startsWith("PAUSED"));
          Instant paused = Instant.now();
          await("freshness lost without heartbeats")
              .atMost(Duration.ofMinutes(1))
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () ->
                      FreshnessEvaluator.evaluate(slas, Map.copyOf(latest), snapshot, Instant.now())
                          .met()
                          .equals("False"));
          Duration lost = Duration.between(paused, Instant.now());
          System.out.printf("freshness False %d s after the connector paused%n", lost.toSeconds());
          assertThat(lost).isGreaterThan(SLA.minus(CdcCompleteness.MARGIN).minusSeconds(2));
        } finally {
          context.stopRequested().countDown();
          reading.set(false);
          assertThat(stage.get(1, TimeUnit.MINUTES)).isZero();
          reader.get(1, TimeUnit.MINUTES);
          executor.shutdown();
          connect.deleteConnector("shop");
        }
      }
    }
  }

  private static void read(
      KafkaBroker broker,
      String topic,
      Map<String, Watermark> latest,
      List<Watermark> all,
      AtomicBoolean reading)
      throws Exception {
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "quiet-it-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class))) {
      consumer.subscribe(List.of(topic));
      while (reading.get()) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          Watermark mark = ConfigLoader.JSON.readValue(record.value(), Watermark.class);
          all.add(mark);
          latest.put(mark.table(), mark);
        }
      }
    }
  }
}
