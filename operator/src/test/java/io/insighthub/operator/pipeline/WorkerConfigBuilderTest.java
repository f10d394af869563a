package io.insighthub.operator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.insighthub.crds.v1alpha1.LateArrivalCheck;
import io.insighthub.crds.v1alpha1.ObjectRef;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.testing.Samples;
import io.insighthub.operator.testing.TestPipelines;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerConfigBuilderTest {
  static final String NS = "analytics";

  @Test
  void foldsInOnlyTheRulesThatNameThePipelineSortedByName() {
    Pipeline pipeline = TestPipelines.events("clicks", NS);
    List<QualityRule> rules =
        List.of(
            drift("z-rule", "clicks", null),
            drift("a-rule", "clicks", null),
            drift("other", "orders", null));

    WorkerConfig config = WorkerConfigBuilder.build(pipeline, rules, null, "kafka:9092");

    assertThat(config.quality().rules()).containsExactly("a-rule", "z-rule");
  }

  @Test
  void theStrictestSchemaDriftPolicyWins() {
    Pipeline pipeline = TestPipelines.events("clicks", NS);
    List<QualityRule> rules =
        List.of(
            drift("evolving", "clicks", SchemaDriftCheck.Policy.EVOLVE),
            drift("halting", "clicks", SchemaDriftCheck.Policy.HALT),
            drift("quarantining", "clicks", SchemaDriftCheck.Policy.QUARANTINE));

    WorkerConfig config = WorkerConfigBuilder.build(pipeline, rules, null, "kafka:9092");

    assertThat(config.quality().schemaDrift()).isEqualTo(SchemaDriftCheck.Policy.HALT);
  }

  @Test
  void aLateArrivalRuleOverridesThePipelinesLatenessAndTheShortestWins() {
    Pipeline pipeline = TestPipelines.events("clicks", NS);
    assertThat(
            WorkerConfigBuilder.build(pipeline, List.of(), null, "k").quality().allowedLateness())
        .isEqualTo("1h");

    List<QualityRule> rules = List.of(late("slow", "clicks", "2h"), late("fast", "clicks", "90s"));

    assertThat(WorkerConfigBuilder.build(pipeline, rules, null, "k").quality().allowedLateness())
        .isEqualTo("90s");
  }

  @Test
  void secretsAppearOnlyAsMountedPathsNeverByName() {
    Pipeline pipeline = Samples.pipeline("product-events");

    String json =
        WorkerConfigBuilder.toJson(
            WorkerConfigBuilder.build(pipeline, List.of(), null, "kafka:9092"));

    assertThat(json)
        .contains("/var/run/secrets/insighthub/pii-hash-key/hmac-key")
        .contains("/var/run/secrets/insighthub/sink")
        .doesNotContain("pii-hmac-key")
        .doesNotContain("snowflake-loader");
    String batch =
        WorkerConfigBuilder.toJson(
            WorkerConfigBuilder.build(
                Samples.pipeline("salesforce-accounts"), List.of(), null, "kafka:9092"));
    assertThat(batch).doesNotContain("s3-ingest").doesNotContain("credentialsSecretRef");
  }

  @Test
  void sqlTransformsGetTheirDocumentedDefaults() {
    Pipeline pipeline = TestPipelines.eventsWithTransforms("clicks", NS);
    TransformSpec after = new TransformSpec();
    after.name = "weekly-rollup";
    after.type = TransformSpec.Type.SQL;
    after.sql = "SELECT 2";
    after.dependsOn = List.of("daily");
    pipeline.getSpec().transforms = List.of(pipeline.getSpec().transforms.get(1), after);

    List<TransformSpec> transforms =
        WorkerConfigBuilder.build(pipeline, List.of(), null, "k").transforms();

    assertThat(transforms.get(0).schedule).isEqualTo(WorkerConfigBuilder.DEFAULT_SQL_SCHEDULE);
    assertThat(transforms.get(0).table).isEqualTo("DAILY");
    assertThat(transforms.get(1).schedule).as("runs after its dependency").isNull();
    assertThat(transforms.get(1).table).isEqualTo("WEEKLY_ROLLUP");
    assertThat(pipeline.getSpec().transforms.get(0).table)
        .as("the primary resource is not modified")
        .isNull();
  }

  @Test
  void theConfigHashIsStableAndFollowsTheContent() {
    Pipeline pipeline = TestPipelines.events("clicks", NS);
    var config = OperatorConfig.defaults().withKafkaCluster("main");
    String first = ResolvedPipeline.resolve(pipeline, List.of(), null, config).configHash();

    assertThat(ResolvedPipeline.resolve(pipeline, List.of(), null, config).configHash())
        .isEqualTo(first);
    pipeline.getSpec().source.events.dedupWindow = "2h";
    assertThat(ResolvedPipeline.resolve(pipeline, List.of(), null, config).configHash())
        .isNotEqualTo(first);
  }

  static QualityRule drift(String name, String pipeline, SchemaDriftCheck.Policy policy) {
    QualityRule rule = rule(name, pipeline);
    if (policy != null) {
      rule.getSpec().schemaDrift = new SchemaDriftCheck();
      rule.getSpec().schemaDrift.policy = policy;
    }
    return rule;
  }

  static QualityRule late(String name, String pipeline, String lateness) {
    QualityRule rule = rule(name, pipeline);
    rule.getSpec().lateArrival = new LateArrivalCheck();
    rule.getSpec().lateArrival.allowedLateness = lateness;
    return rule;
  }

  static QualityRule rule(String name, String pipeline) {
    QualityRule rule = new QualityRule();
    rule.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    rule.setSpec(new QualityRuleSpec());
    rule.getSpec().pipelineRef = new ObjectRef(pipeline);
    return rule;
  }
}
