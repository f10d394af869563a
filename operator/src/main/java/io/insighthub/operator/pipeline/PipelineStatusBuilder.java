package io.insighthub.operator.pipeline;

import static io.insighthub.crds.CrdConstants.CONDITION_FRESHNESS_SLA_MET;
import static io.insighthub.crds.CrdConstants.CONDITION_QUALITY_PASSING;
import static io.insighthub.crds.CrdConstants.CONDITION_READY;
import static io.insighthub.crds.CrdConstants.CONDITION_TOPICS_READY;
import static io.insighthub.crds.CrdConstants.CONDITION_TRANSFORMS_SCHEDULED;
import static io.insighthub.crds.CrdConstants.CONDITION_WORKERS_READY;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.PipelineStatus;
import io.insighthub.crds.v1alpha1.TableFreshness;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.common.ReferenceProblem;
import io.insighthub.operator.freshness.FreshnessReport;
import io.insighthub.operator.freshness.FreshnessTracking;
import io.insighthub.operator.quality.QualityVerdict;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Derives a Pipeline's status from its children's own status (Strimzi's topic conditions,
 * Deployment availability, the CronJobs present): one condition per part and Ready summing them.
 */
public final class PipelineStatusBuilder {
  private PipelineStatusBuilder() {}

  /** The status after a reconcile that rendered the children, freshness not tracked. */
  public static PipelineStatus build(
      ResolvedPipeline resolved,
      Collection<KafkaTopic> topics,
      Collection<Deployment> deployments,
      Collection<CronJob> cronJobs,
      Instant now) {
    return build(resolved, topics, deployments, cronJobs, null, now);
  }

  /**
   * The status after a reconcile that rendered the children.
   *
   * @param freshness the tables' freshness just evaluated; null when the operator reads no
   *     watermarks
   */
  public static PipelineStatus build(
      ResolvedPipeline resolved,
      Collection<KafkaTopic> topics,
      Collection<Deployment> deployments,
      Collection<CronJob> cronJobs,
      FreshnessReport freshness,
      Instant now) {
    return build(resolved, topics, deployments, cronJobs, freshness, null, now);
  }

  /**
   * The status after a reconcile that rendered the children.
   *
   * @param freshness the tables' freshness just evaluated; null when the operator reads no
   *     watermarks
   * @param quality the QualityPassing condition from the workers' results; null when the operator
   *     reads none. A critical rule failing also turns Ready False.
   */
  public static PipelineStatus build(
      ResolvedPipeline resolved,
      Collection<KafkaTopic> topics,
      Collection<Deployment> deployments,
      Collection<CronJob> cronJobs,
      FreshnessReport freshness,
      Condition quality,
      Instant now) {
    Pipeline pipeline = resolved.pipeline();
    TopicHealth topicHealth = TopicHealth.assess(pipeline, topics);
    Condition topicsReady =
        topicHealth.ready()
            ? Conditions.ok(CONDITION_TOPICS_READY, topicHealth.reason(), topicHealth.message())
            : Conditions.failed(
                CONDITION_TOPICS_READY, topicHealth.reason(), topicHealth.message());
    Condition workers = workers(resolved, deployments, topicHealth.ready());
    Condition transforms = transforms(resolved, cronJobs);
    Condition passing = quality != null ? quality : quality(resolved);
    List<Condition> parts = new ArrayList<>(List.of(topicsReady, workers, transforms));
    if (QualityVerdict.CRITICAL_FAILED.equals(passing.getReason())) {
      parts.add(passing);
    }
    Condition ready = ready(resolved, parts);
    List<Condition> conditions = new ArrayList<>();
    conditions.add(ready);
    conditions.add(topicsReady);
    conditions.add(workers);
    conditions.add(transforms);
    conditions.add(freshness(resolved, freshness));
    conditions.add(passing);
    PipelineStatus status = status(pipeline, conditions, now);
    if (freshness != null) {
      status.freshness = freshness.tables();
      status.worstLag = freshness.worstLag();
      status.sla = freshness.sla();
      keepLagUnlessFreshnessChanged(pipeline.getStatus(), status);
    }
    return status;
  }

  /** The status when a reference cannot be resolved: Ready=False naming what is missing. */
  public static PipelineStatus problem(Pipeline pipeline, ReferenceProblem problem, Instant now) {
    List<Condition> conditions = new ArrayList<>();
    conditions.add(Conditions.failed(CONDITION_READY, problem.reason(), problem.message()));
    // The other conditions keep what was last observed; they describe children still in place.
    List<Condition> previous =
        pipeline.getStatus() != null ? pipeline.getStatus().conditions : List.of();
    for (String type :
        List.of(
            CONDITION_TOPICS_READY,
            CONDITION_WORKERS_READY,
            CONDITION_TRANSFORMS_SCHEDULED,
            CONDITION_FRESHNESS_SLA_MET,
            CONDITION_QUALITY_PASSING)) {
      conditions.add(
          Conditions.find(previous, type)
              .orElse(
                  Conditions.unknown(type, "NotReconciled", "Waiting for " + problem.reason())));
    }
    Conditions.find(previous, CrdConstants.CONDITION_PII_RETENTION_MET).ifPresent(conditions::add);
    return status(pipeline, conditions, now);
  }

  private static PipelineStatus status(Pipeline pipeline, List<Condition> conditions, Instant now) {
    PipelineStatus previous = pipeline.getStatus();
    PipelineStatus status = new PipelineStatus();
    status.observedGeneration = pipeline.getMetadata().getGeneration();
    status.conditions =
        Conditions.merge(
            previous != null ? previous.conditions : List.of(),
            conditions,
            Objects.requireNonNullElse(pipeline.getMetadata().getGeneration(), 0L),
            now);
    status.topics = TopicBuilder.topicNames(pipeline);
    if (previous != null) {
      // Freshness is not derived from children: kept unless build() evaluated it anew.
      status.freshness = previous.freshness;
      status.worstLag = previous.worstLag;
      status.sla = previous.sla;
      status.lastPurge = previous.lastPurge;
    }
    return status;
  }

  /**
   * Adds {@code PiiRetentionMet} (its lastTransitionTime kept while its status holds) and the last
   * pii-purge run to a status {@link #build} made.
   */
  public static void piiRetention(
      Pipeline pipeline, PipelineStatus status, PiiRetention.Verdict verdict, Instant now) {
    if (verdict.lastPurge() != null) {
      status.lastPurge = verdict.lastPurge();
    }
    if (verdict.condition() == null) {
      return;
    }
    List<Condition> previous =
        pipeline.getStatus() != null ? pipeline.getStatus().conditions : List.of();
    List<Condition> conditions = new ArrayList<>(status.conditions);
    conditions.removeIf(c -> CrdConstants.CONDITION_PII_RETENTION_MET.equals(c.getType()));
    conditions.addAll(
        Conditions.merge(
            previous,
            List.of(verdict.condition()),
            Objects.requireNonNullElse(pipeline.getMetadata().getGeneration(), 0L),
            now));
    status.conditions = conditions;
  }

  private static Condition workers(
      ResolvedPipeline resolved, Collection<Deployment> observed, boolean topicsReady) {
    Pipeline pipeline = resolved.pipeline();
    List<WorkerStage> stages = WorkerStage.of(pipeline);
    if (stages.isEmpty()) {
      String how =
          pipeline.getSpec().source.cdc != null
              ? "CDC tables are loaded by CdcSource "
                  + pipeline.getSpec().source.cdc.sourceRef.name
                  + "'s cdc-load worker"
              : "batch files are loaded by the batch-ingest CronJob";
      return Conditions.ok(CONDITION_WORKERS_READY, "NoWorkers", "No long-running workers: " + how);
    }
    if (resolved.suspended()) {
      return Conditions.failed(
          CONDITION_WORKERS_READY,
          "Suspended",
          "spec.suspend is true: " + stages.size() + " worker Deployments scaled to 0");
    }
    Map<String, Deployment> byName =
        observed.stream()
            .collect(
                Collectors.toMap(d -> d.getMetadata().getName(), Function.identity(), (a, b) -> a));
    for (WorkerStage stage : stages) {
      String name = PipelineNames.deployment(pipeline, stage);
      Deployment d = byName.get(name);
      if (d == null) {
        return Conditions.failed(
            CONDITION_WORKERS_READY,
            "WorkersPending",
            "Deployment "
                + name
                + " not created yet"
                + (topicsReady ? "" : ": waiting for the KafkaTopics to be ready"));
      }
      int desired = Objects.requireNonNullElse(d.getSpec().getReplicas(), 1);
      var status = d.getStatus();
      int available =
          status == null ? 0 : Objects.requireNonNullElse(status.getAvailableReplicas(), 0);
      long seen =
          status == null ? 0 : Objects.requireNonNullElse(status.getObservedGeneration(), 0L);
      long generation = Objects.requireNonNullElse(d.getMetadata().getGeneration(), 0L);
      if (seen < generation) {
        // The same message for each Deployment in turn: no status write per rolled-out worker.
        return Conditions.failed(
            CONDITION_WORKERS_READY,
            "WorkersRollingOut",
            "Rolling out the worker Deployments (kubectl get deployments -l "
                + CrdConstants.LABEL_PIPELINE
                + "="
                + pipeline.getMetadata().getName()
                + ")");
      }
      if (available < desired) {
        return Conditions.failed(
            CONDITION_WORKERS_READY,
            "WorkersUnavailable",
            "Deployment " + name + ": " + available + "/" + desired + " replicas available");
      }
    }
    return Conditions.ok(
        CONDITION_WORKERS_READY,
        "WorkersAvailable",
        "All replicas available: "
            + stages.stream().map(WorkerStage::id).collect(Collectors.joining(", ")));
  }

  private static Condition transforms(ResolvedPipeline resolved, Collection<CronJob> observed) {
    List<String> expected =
        PipelineCronJobBuilder.build(resolved).stream()
            .map(c -> c.getMetadata().getName())
            .toList();
    if (expected.isEmpty()) {
      return Conditions.ok(
          CONDITION_TRANSFORMS_SCHEDULED,
          "NothingToSchedule",
          "No SQL transforms, batch ingest or PII purge to schedule");
    }
    if (resolved.suspended()) {
      return Conditions.failed(
          CONDITION_TRANSFORMS_SCHEDULED,
          "Suspended",
          "spec.suspend is true: " + expected.size() + " CronJobs suspended");
    }
    List<String> present = observed.stream().map(c -> c.getMetadata().getName()).toList();
    List<String> missing = expected.stream().filter(n -> !present.contains(n)).toList();
    if (!missing.isEmpty()) {
      return Conditions.failed(
          CONDITION_TRANSFORMS_SCHEDULED,
          "CronJobsPending",
          "CronJob " + String.join(", ", missing) + " not created yet");
    }
    return Conditions.ok(
        CONDITION_TRANSFORMS_SCHEDULED,
        "Scheduled",
        expected.size() + " CronJobs scheduled: " + String.join(", ", expected));
  }

  private static Condition ready(ResolvedPipeline resolved, List<Condition> parts) {
    if (resolved.suspended()) {
      return Conditions.failed(
          CONDITION_READY,
          "Suspended",
          "spec.suspend is true: workers scaled to 0 and CronJobs suspended; nothing deleted");
    }
    return parts.stream()
        .filter(c -> !Conditions.TRUE.equals(c.getStatus()))
        .findFirst()
        .map(c -> Conditions.failed(CONDITION_READY, c.getReason(), c.getMessage()))
        .orElse(
            Conditions.ok(
                CONDITION_READY, "AllReady", "Topics, workers and scheduled jobs are ready"));
  }

  private static Condition freshness(ResolvedPipeline resolved, FreshnessReport report) {
    if (report == null) {
      return Conditions.unknown(
          CONDITION_FRESHNESS_SLA_MET,
          "FreshnessNotTracked",
          "The operator reads no watermarks: set "
              + FreshnessTracking.ENV_BOOTSTRAP
              + " (or INSIGHTHUB_KAFKA_BOOTSTRAP_SERVERS) on the operator");
    }
    if (resolved.suspended()) {
      // Stale by intent, not an SLA breach: nothing should page for it.
      return Conditions.unknown(
          CONDITION_FRESHNESS_SLA_MET,
          "Suspended",
          "spec.suspend is true: loaders stopped; tables are held to their SLA again once resumed");
    }
    return Conditions.of(
        CONDITION_FRESHNESS_SLA_MET, report.met(), report.reason(), report.message());
  }

  /**
   * Lag grows every second, so a status holding the current lag would change on every reconcile. A
   * visible change is one of the FreshnessSLAMet status, reason or generation, or of a table's
   * watermark (max event time, last load, rows), SLA or within-SLA verdict. Without one, the lag
   * figures and the condition's message stay as last written and no patch is sent; the live lag is
   * in the insighthub_pipeline_freshness_seconds gauge.
   */
  static void keepLagUnlessFreshnessChanged(PipelineStatus previous, PipelineStatus next) {
    if (previous == null || previous.freshness == null) {
      return;
    }
    Condition was = Conditions.find(previous.conditions, CONDITION_FRESHNESS_SLA_MET).orElse(null);
    Condition is = Conditions.find(next.conditions, CONDITION_FRESHNESS_SLA_MET).orElseThrow();
    boolean sameVerdict =
        was != null
            && Objects.equals(was.getStatus(), is.getStatus())
            && Objects.equals(was.getReason(), is.getReason())
            && Objects.equals(was.getObservedGeneration(), is.getObservedGeneration());
    if (!sameVerdict
        || !Objects.equals(previous.sla, next.sla)
        || !withoutLag(previous.freshness).equals(withoutLag(next.freshness))) {
      return;
    }
    next.freshness = previous.freshness;
    next.worstLag = previous.worstLag;
    next.conditions =
        next.conditions.stream().map(c -> c.getType().equals(is.getType()) ? was : c).toList();
  }

  private static List<List<Object>> withoutLag(List<TableFreshness> tables) {
    return tables.stream()
        .map(
            t ->
                Arrays.<Object>asList(
                    t.table,
                    t.maxEventTime,
                    t.lastLoadTime,
                    t.rowsLastInterval,
                    t.slaSeconds,
                    t.withinSla))
        .toList();
  }

  private static Condition quality(ResolvedPipeline resolved) {
    int rules = resolved.workerConfig().quality().rules().size();
    return Conditions.unknown(
        CONDITION_QUALITY_PASSING,
        "NotEvaluated",
        rules + " QualityRules folded into the worker config; no evaluation reported yet");
  }
}
