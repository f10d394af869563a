package io.insighthub.operator.freshness;

import static io.insighthub.crds.CrdConstants.CONDITION_FRESHNESS_SLA_MET;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.TableFreshness;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.runtime.InsightHubOperator;
import io.insighthub.operator.testing.ReconcileCounter;
import io.insighthub.operator.testing.TestClusters;
import io.insighthub.operator.testing.TestPipelines;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's freshness tracking under a steady stream of watermarks: many Pipelines whose
 * loader commits a batch every second. Prints the status writes per Pipeline per minute (bounded by
 * the flush interval, not by the watermark rate), the age of the shown load when status is written
 * (load-to-status latency), and how long after the loaders stop every Pipeline reports
 * LoaderStalled. Not part of ./build verify: run it with {@code ./build -pl operator -am verify
 * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=FreshnessBenchmark
 * -Dfailsafe.failIfNoSpecifiedTests=false -Dbench.pipelines=100 -Dbench.seconds=60}.
 */
@ExtendWith({KubeApiServerExtension.class, KafkaBrokerExtension.class})
class FreshnessBenchmark {
  static final int PIPELINES = Integer.getInteger("bench.pipelines", 100);
  static final int SECONDS = Integer.getInteger("bench.seconds", 60);
  static final Duration INTERVAL =
      Duration.ofSeconds(Integer.getInteger("bench.intervalSeconds", 10));
  static final long SLA_SECONDS = 30;
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

  @Test
  void steadyWatermarksGiveBoundedStatusWritesAndStallsAreCaught(
      KubernetesClient client, TestNamespace namespace, KafkaBroker broker) throws Exception {
    String ns = namespace.name();
    prerequisites(client, ns, broker);
    for (int i = 0; i < PIPELINES; i++) {
      Pipeline pipeline = TestPipelines.events(name(i), ns);
      pipeline.getSpec().freshness.streamingSla = SLA_SECONDS + "s";
      client.resource(pipeline).inNamespace(ns).create();
    }
    FreshnessTracking freshness =
        new FreshnessTracking(broker.bootstrapServers(), INTERVAL, new SimpleMeterRegistry());
    OperatorConfig config =
        OperatorConfig.defaults().withKafkaCluster("insighthub").withWatchNamespaces(Set.of(ns));
    Operator operator =
        InsightHubOperator.create(
            client, config, new ReconcileCounter(), Clock.systemUTC(), freshness);
    operator.start();

    Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
    List<Long> loadAgeMillis = Collections.synchronizedList(new ArrayList<>());
    Map<String, Instant> stalledAt = new ConcurrentHashMap<>();
    var measuring = new AtomicBoolean();
    // Writes after the loaders stopped that still say WithinSla: lag alone must write nothing.
    AtomicInteger quietWrites = new AtomicInteger();
    var quiet = new AtomicBoolean();
    try (KafkaProducer<String, byte[]> producer = producer(broker);
        Watch watch =
            client
                .resources(Pipeline.class)
                .inNamespace(ns)
                .watch(
                    new Watcher<>() {
                      @Override
                      public void eventReceived(Action action, Pipeline p) {
                        if (action != Action.MODIFIED || p.getStatus() == null) {
                          return;
                        }
                        Instant now = Instant.now();
                        String name = p.getMetadata().getName();
                        if (measuring.get()) {
                          writes.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
                          for (TableFreshness t : p.getStatus().freshness) {
                            if (t.lastLoadTime != null) {
                              loadAgeMillis.add(
                                  Duration.between(Instant.parse(t.lastLoadTime), now).toMillis());
                            }
                          }
                        }
                        var fresh =
                            Conditions.find(p.getStatus().conditions, CONDITION_FRESHNESS_SLA_MET);
                        if (quiet.get()
                            && fresh.filter(c -> "WithinSla".equals(c.getReason())).isPresent()) {
                          quietWrites.incrementAndGet();
                        }
                        fresh
                            .filter(c -> "LoaderStalled".equals(c.getReason()))
                            .ifPresent(c -> stalledAt.putIfAbsent(name, now));
                      }

                      @Override
                      public void onClose(WatcherException cause) {}
                    })) {
      // Warm-up: every Pipeline sees its first load, then the measured steady state.
      Instant warmUpEnd = Instant.now().plus(INTERVAL.multipliedBy(2));
      while (Instant.now().isBefore(warmUpEnd)) {
        publishAll(producer, ns);
        Thread.sleep(1000);
      }
      measuring.set(true);
      long records = 0;
      Instant start = Instant.now();
      Instant end = start.plusSeconds(SECONDS);
      while (Instant.now().isBefore(end)) {
        publishAll(producer, ns);
        records += PIPELINES;
        Thread.sleep(1000);
      }
      Instant lastLoad = Instant.now();
      double minutes = Duration.between(start, lastLoad).toMillis() / 60_000.0;
      measuring.set(false);
      // The last batch's notification is still to come; from one interval on, nothing changes.
      Thread.sleep(INTERVAL.toMillis() + 3000);
      quiet.set(true);

      await()
          .atMost(Duration.ofSeconds(SLA_SECONDS).plus(INTERVAL).plusSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> stalledAt.size() == PIPELINES);
      List<Long> stall =
          stalledAt.values().stream()
              .map(t -> Duration.between(lastLoad, t).toMillis())
              .sorted()
              .toList();
      List<Long> ages = new ArrayList<>(loadAgeMillis);
      Collections.sort(ages);
      int total = writes.values().stream().mapToInt(AtomicInteger::get).sum();
      System.out.printf(
          "FreshnessBenchmark: %d Pipelines, %d watermarks in %.1f s (%.0f/s), interval %s,"
              + " SLA %ds%n",
          PIPELINES, records, minutes * 60, records / (minutes * 60), INTERVAL, SLA_SECONDS);
      System.out.printf(
          "  status writes: %d, %.1f per Pipeline per minute (%.1f flushes per minute)%n",
          total, total / (double) PIPELINES / minutes, 60.0 / INTERVAL.toSeconds());
      System.out.printf(
          "  age of the shown load when written: p50 %.1f s, p99 %.1f s, max %.1f s%n",
          pct(ages, 50) / 1000.0, pct(ages, 99) / 1000.0, pct(ages, 100) / 1000.0);
      System.out.printf(
          "  LoaderStalled after the last load: p50 %.1f s, max %.1f s (SLA %d s)%n",
          pct(stall, 50) / 1000.0, pct(stall, 100) / 1000.0, SLA_SECONDS);
      System.out.printf(
          "  status writes while stalled but still within SLA (lag growing only): %d%n",
          quietWrites.get());
    } finally {
      operator.stop();
    }
  }

  static String name(int i) {
    return String.format("fb-%04d", i);
  }

  static void publishAll(KafkaProducer<String, byte[]> producer, String ns) throws Exception {
    Instant now = Instant.now();
    for (int i = 0; i < PIPELINES; i++) {
      String table = "VALIDATED." + name(i).replace('-', '_').toUpperCase(Locale.ROOT);
      Watermark mark = new Watermark(ns, name(i), table, now.minusSeconds(2), now, 500, 0);
      producer.send(
          new ProducerRecord<>(
              WorkerConfig.WATERMARK_TOPIC, mark.key(), JSON.writeValueAsBytes(mark)));
    }
    producer.flush();
  }

  static long pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  static KafkaProducer<String, byte[]> producer(KafkaBroker broker) {
    return new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  static void prerequisites(KubernetesClient client, String ns, KafkaBroker broker)
      throws Exception {
    WatermarkTopic.ensure(broker);
    TestClusters.kafka(client, ns, "insighthub", false);
    TestClusters.sinkSecret(client, ns);
  }
}
