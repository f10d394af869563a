package io.insighthub.operator.pipeline;

import static io.insighthub.crds.CrdConstants.CONDITION_FRESHNESS_SLA_MET;
import static io.insighthub.crds.CrdConstants.CONDITION_QUALITY_PASSING;
import static io.insighthub.crds.CrdConstants.CONDITION_READY;
import static io.insighthub.crds.CrdConstants.CONDITION_TOPICS_READY;
import static io.insighthub.crds.CrdConstants.CONDITION_WORKERS_READY;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.PipelineStatus;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.common.StatusUpdates;
import io.insighthub.operator.freshness.FreshnessEvaluator;
import io.insighthub.operator.freshness.FreshnessReport;
import io.insighthub.operator.quality.QualityVerdict;
import io.insighthub.operator.testing.TestPipelines;
import io.strimzi.api.kafka.model.common.ConditionBuilder;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.topic.KafkaTopicStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Conditions derived from the children's own status. */
class PipelineStatusBuilderTest {
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  final Pipeline pipeline = TestPipelines.events("clicks", "analytics");

  {
    pipeline.getMetadata().setGeneration(3L);
  }

  final ResolvedPipeline resolved =
      ResolvedPipeline.resolve(
          pipeline, List.of(), null, OperatorConfig.defaults().withKafkaCluster("main"));

  @Test
  void aStrimziErrorOnATopicBecomesTheReasonAndMessage() {
    List<KafkaTopic> topics = readyTopics();
    topics.get(0).getStatus().getConditions().getFirst().setStatus("False");
    topics.get(0).getStatus().getConditions().getFirst().setMessage("Invalid replication factor");

    PipelineStatus status =
        PipelineStatusBuilder.build(resolved, topics, List.of(), List.of(), NOW);

    Condition topicsReady = condition(status, CONDITION_TOPICS_READY);
    assertThat(topicsReady.getStatus()).isEqualTo("False");
    assertThat(topicsReady.getReason()).isEqualTo("TopicNotReady");
    assertThat(topicsReady.getMessage())
        .isEqualTo("KafkaTopic analytics.clicks.raw: Strimzi reports 'Invalid replication factor'");
    assertThat(condition(status, CONDITION_READY).getReason()).isEqualTo("TopicNotReady");
  }

  @Test
  void aTopicStrimziHasNotSeenInItsCurrentGenerationIsPending() {
    List<KafkaTopic> topics = readyTopics();
    topics.get(1).getMetadata().setGeneration(2L);

    Condition topicsReady =
        condition(
            PipelineStatusBuilder.build(resolved, topics, List.of(), List.of(), NOW),
            CONDITION_TOPICS_READY);

    assertThat(topicsReady.getReason()).isEqualTo("TopicPending");
    assertThat(topicsReady.getMessage())
        .isEqualTo(
            "Waiting for Strimzi's Topic Operator to reconcile the Pipeline's KafkaTopics"
                + " (kubectl get kafkatopics -l data.insighthub.io/pipeline="
                + resolved.pipeline().getMetadata().getName()
                + " shows which are not Ready)");
  }

  @Test
  void workersAreReadyWhenEveryDeploymentHasItsReplicasAvailable() {
    List<Deployment> deployments = WorkerDeploymentBuilder.build(resolved);
    available(deployments.get(0), 1);
    available(deployments.get(1), 0);

    PipelineStatus status =
        PipelineStatusBuilder.build(resolved, readyTopics(), deployments, List.of(), NOW);

    assertThat(condition(status, CONDITION_WORKERS_READY).getMessage())
        .isEqualTo("Deployment clicks-load: 0/1 replicas available");
    available(deployments.get(1), 1);
    PipelineStatus ready =
        PipelineStatusBuilder.build(resolved, readyTopics(), deployments, List.of(), NOW);
    assertThat(condition(ready, CONDITION_READY).getStatus()).isEqualTo("True");
    assertThat(condition(ready, CONDITION_READY).getReason()).isEqualTo("AllReady");
    assertThat(ready.observedGeneration).isEqualTo(3L);
  }

  @Test
  void aCriticalQualityFailureTurnsReadyFalseAndAWarningDoesNot() {
    List<Deployment> deployments = WorkerDeploymentBuilder.build(resolved);
    deployments.forEach(d -> available(d, 1));
    Condition critical =
        Conditions.failed(
            CONDITION_QUALITY_PASSING,
            QualityVerdict.CRITICAL_FAILED,
            "clicks-volume: 4 rows in 1h < min 10 on VALIDATED.CLICKS");
    Condition warning =
        Conditions.failed(
            CONDITION_QUALITY_PASSING,
            QualityVerdict.FAILED,
            "clicks-nulls: null ratio of account_id 0.31 > 3x baseline 0.02 on VALIDATED.CLICKS");

    PipelineStatus failing =
        PipelineStatusBuilder.build(
            resolved, readyTopics(), deployments, List.of(), null, critical, NOW);
    PipelineStatus warned =
        PipelineStatusBuilder.build(
            resolved, readyTopics(), deployments, List.of(), null, warning, NOW);

    assertThat(condition(failing, CONDITION_READY).getStatus()).isEqualTo("False");
    assertThat(condition(failing, CONDITION_READY).getReason())
        .isEqualTo(QualityVerdict.CRITICAL_FAILED);
    assertThat(condition(failing, CONDITION_READY).getMessage())
        .isEqualTo("clicks-volume: 4 rows in 1h < min 10 on VALIDATED.CLICKS");
    assertThat(condition(warned, CONDITION_READY).getStatus()).isEqualTo("True");
    assertThat(condition(warned, CONDITION_QUALITY_PASSING).getStatus()).isEqualTo("False");
  }

  @Test
  void conditionsKeepTheirTransitionTimeWhileTheirStatusHolds() {
    List<Deployment> deployments = WorkerDeploymentBuilder.build(resolved);
    deployments.forEach(d -> available(d, 1));
    PipelineStatus first =
        PipelineStatusBuilder.build(resolved, readyTopics(), deployments, List.of(), NOW);
    pipeline.setStatus(first);

    available(deployments.get(0), 0);
    PipelineStatus second =
        PipelineStatusBuilder.build(
            resolved, readyTopics(), deployments, List.of(), NOW.plusSeconds(60));

    assertThat(condition(second, CONDITION_TOPICS_READY).getLastTransitionTime())
        .isEqualTo("2026-01-01T00:00:00Z");
    assertThat(condition(second, CONDITION_WORKERS_READY).getLastTransitionTime())
        .isEqualTo("2026-01-01T00:01:00Z");
  }

  @Test
  void lagThatMerelyGrewIsNoVisibleChangeButANewLoadOrVerdictIs() {
    Map<String, Duration> slas = Map.of("VALIDATED.CLICKS", Duration.ofMinutes(2));
    Watermark load = new Watermark("analytics", "clicks", "VALIDATED.CLICKS", NOW, NOW, 10, 0);
    PipelineStatus first = withFreshness(slas, load, NOW.plusSeconds(5));
    assertThat(first.freshness.getFirst().lagSeconds).isEqualTo(5L);
    pipeline.setStatus(first);

    // 30s on, nothing loaded: the lag is 35s, but the status stays as written.
    PipelineStatus later = withFreshness(slas, load, NOW.plusSeconds(35));
    assertThat(StatusUpdates.unchanged(first, later)).isTrue();

    // A new load is a visible change, with the lag as of now.
    Watermark next =
        new Watermark("analytics", "clicks", "VALIDATED.CLICKS", NOW, NOW.plusSeconds(30), 4, 0);
    PipelineStatus loaded = withFreshness(slas, next, NOW.plusSeconds(35));
    assertThat(loaded.freshness.getFirst().lagSeconds).isEqualTo(35L);
    assertThat(loaded.freshness.getFirst().rowsLastInterval).isEqualTo(4L);

    // So is the verdict turning: past the SLA with no load.
    PipelineStatus stalled = withFreshness(slas, load, NOW.plusSeconds(125));
    Condition freshness = condition(stalled, CONDITION_FRESHNESS_SLA_MET);
    assertThat(freshness.getStatus()).isEqualTo("False");
    assertThat(freshness.getReason()).isEqualTo("LoaderStalled");
    assertThat(freshness.getLastTransitionTime()).isEqualTo("2026-01-01T00:02:05Z");
    assertThat(stalled.worstLag).isEqualTo("2m5s");
  }

  @Test
  void freshnessIsNotTrackedWithoutAReportAndSaysSuspendedWhileSuspended() {
    PipelineStatus untracked =
        PipelineStatusBuilder.build(resolved, readyTopics(), List.of(), List.of(), NOW);
    assertThat(condition(untracked, CONDITION_FRESHNESS_SLA_MET).getReason())
        .isEqualTo("FreshnessNotTracked");

    pipeline.getSpec().suspend = true;
    PipelineStatus suspended =
        withFreshness(Map.of("VALIDATED.CLICKS", Duration.ofMinutes(2)), null, NOW);
    Condition freshness = condition(suspended, CONDITION_FRESHNESS_SLA_MET);
    assertThat(freshness.getStatus()).isEqualTo("Unknown");
    assertThat(freshness.getReason()).isEqualTo("Suspended");
    // Ready does not fold freshness in: it reports the suspension itself.
    assertThat(condition(suspended, CONDITION_READY).getReason()).isEqualTo("Suspended");
  }

  PipelineStatus withFreshness(Map<String, Duration> slas, Watermark mark, Instant now) {
    FreshnessReport report =
        FreshnessEvaluator.evaluate(
            slas, mark == null ? Map.of() : Map.of(mark.table(), mark), NOW.minusSeconds(1), now);
    ResolvedPipeline current =
        ResolvedPipeline.resolve(
            pipeline, List.of(), null, OperatorConfig.defaults().withKafkaCluster("main"));
    return PipelineStatusBuilder.build(current, readyTopics(), List.of(), List.of(), report, now);
  }

  List<KafkaTopic> readyTopics() {
    List<KafkaTopic> topics = TopicBuilder.build(pipeline, "main");
    for (KafkaTopic topic : topics) {
      topic.getMetadata().setGeneration(1L);
      topic.setStatus(
          new KafkaTopicStatusBuilder()
              .withObservedGeneration(1L)
              .withConditions(new ConditionBuilder().withType("Ready").withStatus("True").build())
              .build());
    }
    return topics;
  }

  static void available(Deployment deployment, int replicas) {
    deployment.getMetadata().setGeneration(1L);
    deployment.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(1L)
            .withAvailableReplicas(replicas)
            .build());
  }

  static Condition condition(PipelineStatus status, String type) {
    return Conditions.find(status.conditions, type).orElseThrow();
  }
}
