package io.insighthub.operator.quality;

import static io.insighthub.crds.CrdConstants.CONDITION_QUALITY_PASSING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.v1alpha1.NullSpikeCheck;
import io.insighthub.crds.v1alpha1.ObjectRef;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import io.insighthub.crds.v1alpha1.QualityRuleSpec.Severity;
import io.insighthub.crds.v1alpha1.QualityRuleStatus;
import io.insighthub.crds.v1alpha1.VolumeCheck;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import io.insighthub.crds.worker.Watermark;
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
import io.insighthub.operator.testing.ReconcileCounter;
import io.insighthub.operator.testing.TestClusters;
import io.insighthub.operator.testing.TestPipelines;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * QualityRule results end to end inside the operator: results published with the watermarks on a
 * real broker, read by the operator's one consumer, written by the Pipeline and QualityRule
 * reconcilers to status on a real API server.
 */
@ExtendWith({KubeApiServerExtension.class, KafkaBrokerExtension.class})
class QualityIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Duration FLUSH = Duration.ofSeconds(1);
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

  static KubernetesClient client;
  static String ns;
  static Operator operator;
  static KafkaProducer<String, byte[]> producer;
  static String bootstrap;

  @BeforeAll
  static void start(KubernetesClient kube, TestNamespace namespace, KafkaBroker broker)
      throws Exception {
    client = kube;
    ns = namespace.name();
    WatermarkTopic.ensure(broker);
    TestClusters.kafka(client, ns, "insighthub", false);
    TestClusters.sinkSecret(client, ns);
    bootstrap = broker.bootstrapServers();
    startOperator();
    producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  static void startOperator() {
    FreshnessTracking tracking = new FreshnessTracking(bootstrap, FLUSH, new SimpleMeterRegistry());
    OperatorConfig config =
        OperatorConfig.defaults().withKafkaCluster("insighthub").withWatchNamespaces(Set.of(ns));
    operator =
        InsightHubOperator.create(
            client, config, new ReconcileCounter(), Clock.systemUTC(), tracking);
    operator.start();
  }

  static void restartOperator() {
    operator.stop();
    startOperator();
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (operator != null) {
      operator.stop();
    }
  }

  @Test
  void aFailingBatchTurnsQualityPassingFalseAndGoodBatchesRecoverIt() throws Exception {
    String name = "clicks";
    String table = "VALIDATED.CLICKS";
    client.resource(TestPipelines.events(name, ns)).create();
    client.resource(nullSpikeRule("clicks-account-nulls", name, Severity.WARNING)).create();
    client.resource(volumeRule("clicks-volume", name)).create();

    // The two rules are created one after the other: a reconcile between them folds only one.
    Condition waiting =
        awaitPipeline(
            name,
            c ->
                "NotEvaluated".equals(c.getReason())
                    && c.getMessage().startsWith("2 QualityRules folded into the worker config"));
    assertThat(waiting.getStatus()).isEqualTo("Unknown");
    awaitRule("clicks-account-nulls", c -> "NotEvaluated".equals(c.getReason()));

    // The loader's batch: 31 of 100 account ids null, three times the baseline of 2%.
    load(name, table, nullSpike("clicks-account-nulls", table, false, 31));
    Condition failing = awaitPipeline(name, c -> "False".equals(c.getStatus()));
    assertThat(failing.getReason()).isEqualTo("QualityCheckFailed");
    assertThat(failing.getMessage())
        .isEqualTo(
            "clicks-account-nulls: null ratio of account_id 0.31 > 3x baseline 0.02 on " + table);
    QualityRule rule = awaitRuleStatus("clicks-account-nulls", s -> s.failCount != null);
    assertThat(rule.getStatus().failCount).isEqualTo(1);
    assertThat(rule.getStatus().passCount).isEqualTo(0);
    assertThat(rule.getStatus().lastViolation.check).isEqualTo("nullSpike");
    assertThat(rule.getStatus().lastViolation.sampleCount).isEqualTo(31);
    assertThat(rule.getStatus().lastEvaluationTime).isNotNull();
    assertThat(passing(rule).getStatus()).isEqualTo("False");

    // Three good batches: the Pipeline recovers, and every evaluation is counted once.
    for (int i = 0; i < 3; i++) {
      load(name, table, nullSpike("clicks-account-nulls", table, true, 0));
    }
    Condition recovered = awaitPipeline(name, c -> "True".equals(c.getStatus()));
    assertThat(recovered.getReason()).isEqualTo("QualityChecksPassing");
    QualityRule counted =
        awaitRuleStatus("clicks-account-nulls", s -> Long.valueOf(3).equals(s.passCount));
    assertThat(counted.getStatus().failCount).isEqualTo(1);
    assertThat(counted.getStatus().lastViolation.sampleCount).isEqualTo(31);
    assertThat(passing(counted).getStatus()).isEqualTo("True");

    // A critical volume rule below its minimum, reported when its interval closes.
    send(
        Watermark.qualityOnly(
            ns, name, "load", Instant.now(), List.of(volume("clicks-volume", table, 4))));
    Condition critical =
        awaitPipeline(name, c -> QualityVerdict.CRITICAL_FAILED.equals(c.getReason()));
    assertThat(critical.getMessage()).isEqualTo("clicks-volume: 4 rows in 1h < min 10 on " + table);
    Condition ready = Conditions.find(pipeline(name).getStatus().conditions, "Ready").orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    QualityRule volume = awaitRuleStatus("clicks-volume", s -> s.failCount != null);
    assertThat(volume.getStatus().failCount).isEqualTo(1);
    assertThat(volume.getStatus().lastViolation.sampleCount).isEqualTo(6);

    // A new operator re-reads the topic from the start: what was counted is not counted again.
    restartOperator();
    load(name, table, nullSpike("clicks-account-nulls", table, true, 0));
    QualityRule again =
        awaitRuleStatus("clicks-account-nulls", s -> Long.valueOf(4).equals(s.passCount));
    await()
        .during(FLUSH.multipliedBy(3))
        .atMost(WAIT)
        .until(() -> rule("clicks-account-nulls").getStatus().passCount == 4);
    assertThat(again.getStatus().failCount).isEqualTo(1);
    assertThat(rule("clicks-volume").getStatus().failCount).isEqualTo(1);
  }

  @Test
  void anInfoRuleFailingNeverTurnsThePipelineFalse() throws Exception {
    String name = "views";
    String table = "VALIDATED.VIEWS";
    client.resource(TestPipelines.events(name, ns)).create();
    client.resource(nullSpikeRule("views-nulls", name, Severity.INFO)).create();
    awaitRule("views-nulls", c -> "NotEvaluated".equals(c.getReason()));

    load(name, table, nullSpike("views-nulls", table, false, 31));

    Condition pipeline = awaitPipeline(name, c -> "True".equals(c.getStatus()));
    assertThat(pipeline.getMessage()).contains("1 info-only failing");
    Condition rule = awaitRule("views-nulls", c -> "False".equals(c.getStatus()));
    assertThat(rule.getMessage()).contains("null ratio of account_id 0.31");
  }

  static QualityRule nullSpikeRule(String name, String pipeline, Severity severity) {
    QualityRule rule = rule(name, pipeline, severity);
    rule.getSpec().nullSpike = new NullSpikeCheck();
    rule.getSpec().nullSpike.field = "account_id";
    rule.getSpec().nullSpike.maxFactor = 3.0;
    return rule;
  }

  static QualityRule volumeRule(String name, String pipeline) {
    QualityRule rule = rule(name, pipeline, Severity.CRITICAL);
    rule.getSpec().volume = new VolumeCheck();
    rule.getSpec().volume.minRows = 10L;
    return rule;
  }

  static QualityRule rule(String name, String pipeline, Severity severity) {
    QualityRule rule = new QualityRule();
    rule.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    rule.setSpec(new QualityRuleSpec());
    rule.getSpec().pipelineRef = new ObjectRef(pipeline);
    rule.getSpec().severity = severity;
    return rule;
  }

  /** What the loader evaluates on a batch of 100 rows. */
  static QualityResult nullSpike(String rule, String table, boolean passed, long nulls) {
    Severity severity =
        client.resources(QualityRule.class).inNamespace(ns).withName(rule).get().getSpec().severity;
    double ratio = nulls / 100.0;
    return new QualityResult(
        rule,
        QualityCheck.Kind.NULL_SPIKE,
        table,
        severity,
        Instant.now(),
        passed,
        100,
        passed ? 0 : nulls,
        ratio,
        0.06,
        passed
            ? "null ratio of account_id " + ratio + " within limit 0.06 on " + table
            : "null ratio of account_id " + ratio + " > 3x baseline 0.02 on " + table);
  }

  static QualityResult volume(String rule, String table, long rows) {
    return new QualityResult(
        rule,
        QualityCheck.Kind.VOLUME,
        table,
        Severity.CRITICAL,
        Instant.now(),
        rows >= 10,
        rows,
        Math.max(0, 10 - rows),
        (double) rows,
        10.0,
        rows + " rows in 1h < min 10 on " + table);
  }

  static void load(String pipeline, String table, QualityResult result) throws Exception {
    Instant now = Instant.now();
    send(
        new Watermark(
            ns,
            pipeline,
            table,
            now.minusSeconds(1),
            now,
            100,
            result.passed() ? 0 : 1,
            List.of(result)));
  }

  static void send(Watermark mark) throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                WorkerConfig.WATERMARK_TOPIC, mark.key(), JSON.writeValueAsBytes(mark)))
        .get();
  }

  static Pipeline pipeline(String name) {
    return client.resources(Pipeline.class).inNamespace(ns).withName(name).get();
  }

  static Condition awaitPipeline(String name, Predicate<Condition> until) {
    return await()
        .atMost(WAIT)
        .until(
            () -> {
              Pipeline p = pipeline(name);
              return p == null || p.getStatus() == null
                  ? null
                  : Conditions.find(p.getStatus().conditions, CONDITION_QUALITY_PASSING)
                      .orElse(null);
            },
            c -> c != null && until.test(c));
  }

  static QualityRule rule(String name) {
    return client.resources(QualityRule.class).inNamespace(ns).withName(name).get();
  }

  static Condition passing(QualityRule rule) {
    return Conditions.find(rule.getStatus().conditions, CONDITION_QUALITY_PASSING).orElse(null);
  }

  static Condition awaitRule(String name, Predicate<Condition> until) {
    return await()
        .atMost(WAIT)
        .until(
            () -> {
              QualityRule r = rule(name);
              return r == null || r.getStatus() == null ? null : passing(r);
            },
            c -> c != null && until.test(c));
  }

  static QualityRule awaitRuleStatus(String name, Predicate<QualityRuleStatus> until) {
    return await()
        .atMost(WAIT)
        .until(
            () -> rule(name), r -> r != null && r.getStatus() != null && until.test(r.getStatus()));
  }
}
