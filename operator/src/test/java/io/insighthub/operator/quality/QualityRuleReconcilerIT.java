package io.insighthub.operator.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.ObjectRef;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.runtime.InsightHubOperator;
import io.insighthub.operator.testing.ReconcileCounter;
import io.insighthub.operator.testing.TestPipelines;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A QualityRule says in its own status whether the Pipeline it names exists. */
@ExtendWith(KubeApiServerExtension.class)
class QualityRuleReconcilerIT {
  static Operator operator;
  static KubernetesClient client;
  static String ns;

  @BeforeAll
  static void startOperator(KubernetesClient kube, TestNamespace namespace) {
    client = kube;
    ns = namespace.name();
    OperatorConfig config =
        OperatorConfig.defaults().withKafkaCluster("main").withWatchNamespaces(Set.of(ns));
    operator = InsightHubOperator.create(client, config, new ReconcileCounter(), Clock.systemUTC());
    operator.start();
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.stop();
    }
  }

  @Test
  void aRuleForAMissingPipelineSaysSoUntilThePipelineIsCreated() {
    QualityRule rule = new QualityRule();
    rule.setMetadata(new ObjectMetaBuilder().withName("orphan").withNamespace(ns).build());
    rule.setSpec(new QualityRuleSpec());
    rule.getSpec().pipelineRef = new ObjectRef("later");
    rule.getSpec().schemaDrift = new SchemaDriftCheck();
    client.resource(rule).create();

    Condition missing = awaitReady("orphan", "False", "PipelineNotFound");
    assertThat(missing.getMessage())
        .isEqualTo(
            "Pipeline later (spec.pipelineRef) does not exist in namespace "
                + ns
                + "; these checks apply to nothing until it is created");

    client.resource(TestPipelines.events("later", ns)).create();
    Condition found = awaitReady("orphan", "True", "FoldedIntoPipeline");
    assertThat(found.getMessage())
        .isEqualTo("Checks folded into the worker config of Pipeline later");
  }

  static Condition awaitReady(String rule, String status, String reason) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              QualityRule current =
                  client.resources(QualityRule.class).inNamespace(ns).withName(rule).get();
              return current.getStatus() == null
                  ? null
                  : Conditions.find(current.getStatus().conditions, CrdConstants.CONDITION_READY)
                      .orElse(null);
            },
            c -> c != null && status.equals(c.getStatus()) && reason.equals(c.getReason()));
  }
}
