package io.insighthub.operator.pipeline;

import static io.insighthub.crds.CrdConstants.CONDITION_PII_RETENTION_MET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.worker.PurgeReport;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.freshness.FreshnessTracking;
import io.insighthub.operator.freshness.WatermarkTopic;
import io.insighthub.operator.runtime.InsightHubOperator;
import io.insighthub.operator.testing.Conflicts;
import io.insighthub.operator.testing.ReconcileCounter;
import io.insighthub.operator.testing.TestClusters;
import io.insighthub.operator.testing.TestPipelines;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PiiRetentionMet on a real API server from pii-purge reports on a real broker (the records a purge
 * run publishes): True while what the last run left is within 30 days, False naming the archive and
 * its age once the purge has been suspended past the limit, True again after the next run; each run
 * announced once as an Event. The operator's clock is moved forward instead of waiting days.
 */
@ExtendWith({KubeApiServerExtension.class, KafkaBrokerExtension.class})
class PiiRetentionIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

  private Operator operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.stop();
    }
  }

  @Test
  void suspendedPurgeTurnsFalsePastTheLimitAndTheNextRunTurnsItTrue(
      KubernetesClient client, TestNamespace namespace, KafkaBroker broker) throws Exception {
    String ns = namespace.name();
    WatermarkTopic.ensure(broker);
    TestClusters.kafka(client, ns, "insighthub", false);
    TestClusters.sinkSecret(client, ns);
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("archive-s3")
                .withNamespace(ns)
                .endMetadata()
                .withStringData(Map.of("AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "s"))
                .build())
        .create();
    ShiftedClock clock = new ShiftedClock();
    operator =
        InsightHubOperator.create(
            client,
            OperatorConfig.defaults()
                .withKafkaCluster("insighthub")
                .withWatchNamespaces(Set.of(ns)),
            new ReconcileCounter(),
            clock,
            new FreshnessTracking(
                broker.bootstrapServers(), Duration.ofSeconds(1), new SimpleMeterRegistry()));
    operator.start();
    String name = "signups";
    client.resource(TestPipelines.withPiiAndArchive(name, ns)).create();
    var pipeline = client.resources(Pipeline.class).inNamespace(ns).withName(name);

    assertThat(awaitCondition(pipeline, "True").getMessage())
        .contains("no pii-purge run has reported yet");

    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      publish(producer, report(ns, name, "purge-1", clock.instant()));
      await().atMost(WAIT).until(() -> lastRun(pipeline).equals("purge-1"));
      assertThat(awaitCondition(pipeline, "True").getMessage())
          .contains("archive", "29d", "purge-1");

      // The CronJob suspended for two days: no run, what the last one left is 31 days old.
      clock.shift(Duration.ofDays(2));
      Conflicts.edit(pipeline, p -> p.getSpec().suspend = true);
      Condition over = awaitCondition(pipeline, "False");
      assertThat(over.getReason()).isEqualTo(PiiRetention.REASON_OVER);
      assertThat(over.getMessage())
          .contains(
              "archive s3://archive/raw/" + ns + "/" + name + "/ may hold raw PII 31d",
              "limit 30d");

      Conflicts.edit(pipeline, p -> p.getSpec().suspend = false);
      publish(producer, report(ns, name, "purge-2", clock.instant()));
      await().atMost(WAIT).until(() -> lastRun(pipeline).equals("purge-2"));
      assertThat(awaitCondition(pipeline, "True").getReason())
          .isEqualTo(PiiRetention.REASON_WITHIN);
    }
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(purgeEvents(client, ns, name))
                    .as("one Event per run")
                    .containsExactlyInAnyOrder(
                        "pii-purge run purge-1: minimized PII in 3 archive objects",
                        "pii-purge run purge-2: minimized PII in 3 archive objects"));
  }

  private static Condition awaitCondition(
      io.fabric8.kubernetes.client.dsl.Resource<Pipeline> pipeline, String status) {
    AtomicReference<Condition> found = new AtomicReference<>();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Pipeline p = pipeline.get();
              var c =
                  p.getStatus() == null
                      ? null
                      : Conditions.find(p.getStatus().conditions, CONDITION_PII_RETENTION_MET)
                          .orElse(null);
              found.set(c);
              return c != null && status.equals(c.getStatus());
            });
    return found.get();
  }

  private static String lastRun(io.fabric8.kubernetes.client.dsl.Resource<Pipeline> pipeline) {
    Pipeline p = pipeline.get();
    return p.getStatus() == null || p.getStatus().lastPurge == null
        ? ""
        : p.getStatus().lastPurge.runId;
  }

  private static List<String> purgeEvents(KubernetesClient client, String ns, String name) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .filter(e -> "PiiPurged".equals(e.getReason()))
        .map(Event::getMessage)
        .toList();
  }

  private static PurgeReport report(String ns, String name, String runId, Instant finished) {
    return new PurgeReport(
        ns,
        name,
        runId,
        finished.minusSeconds(30),
        finished,
        true,
        "minimized PII in 3 archive objects",
        List.of(new PurgeReport.ActionCount("archive", "PURGE_PII", 3, 300, 4096)),
        List.of(
            new PurgeReport.LayerAge(
                "archive",
                "s3://archive/raw/" + ns + "/" + name + "/",
                finished.minus(Duration.ofDays(29)),
                30)),
        List.of());
  }

  private static void publish(KafkaProducer<String, String> producer, PurgeReport report)
      throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                WorkerConfig.WATERMARK_TOPIC, report.key(), JSON.writeValueAsString(report)))
        .get();
  }

  /** The system clock moved forward by a settable amount. */
  static final class ShiftedClock extends Clock {
    private final AtomicReference<Duration> shift = new AtomicReference<>(Duration.ZERO);

    void shift(Duration by) {
      shift.updateAndGet(d -> d.plus(by));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(shift.get());
    }
  }
}
