package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.PipelineStatus;
import io.insighthub.crds.v1alpha1.PurgeRunStatus;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.ChildEventBatch;
import io.insighthub.operator.common.ChildEvents;
import io.insighthub.operator.common.CompactingItemStore;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.common.ReferenceCache;
import io.insighthub.operator.common.ReferenceProblem;
import io.insighthub.operator.common.ReferenceRecheck;
import io.insighthub.operator.common.StatusUpdates;
import io.insighthub.operator.freshness.FreshnessEvaluator;
import io.insighthub.operator.freshness.FreshnessReport;
import io.insighthub.operator.freshness.FreshnessTables;
import io.insighthub.operator.freshness.FreshnessTracking;
import io.insighthub.operator.quality.QualityVerdict;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a Pipeline: checks its references, resolves its worker config (QualityRules folded
 * in), runs the workflow of its children, and reports their state as conditions.
 */
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(
          name = PipelineReconciler.TOPICS,
          type = TopicsDependentResource.class,
          readyPostcondition = TopicsReadyCondition.class),
      @Dependent(name = PipelineReconciler.CONFIG, type = WorkerConfigMapDependentResource.class),
      @Dependent(
          name = PipelineReconciler.WORKERS,
          type = WorkerDeploymentsDependentResource.class,
          dependsOn = {PipelineReconciler.TOPICS, PipelineReconciler.CONFIG},
          reconcilePrecondition = EventsSourcePrecondition.class),
      @Dependent(
          name = PipelineReconciler.CRON_JOBS,
          type = CronJobsDependentResource.class,
          dependsOn = PipelineReconciler.CONFIG)
    })
@ControllerConfiguration(
    name = "pipeline",
    fieldManager = OperatorConfig.FIELD_MANAGER,
    informer = @Informer(itemStore = CompactingItemStore.class))
public class PipelineReconciler implements Reconciler<Pipeline> {
  static final String TOPICS = "topics";
  static final String CONFIG = "worker-config";
  static final String WORKERS = "workers";
  static final String CRON_JOBS = "cron-jobs";
  static final String RULES_EVENT_SOURCE = "quality-rules";
  static final String WATERMARKS_EVENT_SOURCE = "watermarks";

  /** Primary-cache index: namespace/name of the watermark owners a Pipeline reports on. */
  static final String WATERMARK_OWNER_INDEX = "watermark-owner";

  static final String CDC_SOURCES_EVENT_SOURCE = "cdc-sources";
  static final String CDC_SOURCE_INDEX = "cdc-source";

  /** Reasons that need a person; progress (pending, rolling out, suspended) is no warning. */
  static final Set<String> WARNING_REASONS =
      Set.of(
          "KafkaClusterNotConfigured",
          "KafkaClusterNotFound",
          "CdcSourceNotFound",
          "SecretNotFound",
          "SecretKeyNotFound",
          "TopicNotReady");

  /** Past an SLA deadline by this much, so the recheck sees the table as late. */
  static final Duration RECHECK_MARGIN = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(PipelineReconciler.class);

  private final OperatorConfig config;
  private final Clock clock;
  private final FreshnessTracking freshness;
  private final PiiPurgeMetrics piiPurges;
  private final ReferenceCache references;

  public PipelineReconciler(OperatorConfig config, Clock clock) {
    this(config, clock, FreshnessTracking.disabled());
  }

  public PipelineReconciler(OperatorConfig config, Clock clock, FreshnessTracking freshness) {
    this.config = config;
    this.clock = clock;
    this.freshness = freshness;
    this.piiPurges = new PiiPurgeMetrics(freshness.registry());
    this.references = new ReferenceCache(clock);
  }

  /** The resolved Pipeline the reconciler put in the workflow context for the dependents. */
  static ResolvedPipeline resolved(Context<Pipeline> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .getMandatory(ResolvedPipeline.CONTEXT_KEY, ResolvedPipeline.class);
  }

  @Override
  public List<EventSource<?, Pipeline>> prepareEventSources(EventSourceContext<Pipeline> context) {
    // A QualityRule names its Pipeline; a change to it re-renders that Pipeline's worker config.
    var rules =
        InformerEventSourceConfiguration.from(QualityRule.class, Pipeline.class)
            .withName(RULES_EVENT_SOURCE)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(
                (QualityRule rule) ->
                    rule.getSpec() == null || rule.getSpec().pipelineRef == null
                        ? Set.of()
                        : Set.of(
                            new ResourceID(
                                rule.getSpec().pipelineRef.name,
                                rule.getMetadata().getNamespace())))
            .build();
    // New watermarks of a Pipeline's tables (or of its CdcSource's) reconcile it; the consumer
    // batches them, so this fires at most once per flush interval per Pipeline.
    var cache = context.getPrimaryCache();
    cache.addIndexer(WATERMARK_OWNER_INDEX, PipelineReconciler::watermarkOwners);
    var watermarks =
        freshness.<Pipeline>eventSource(
            WATERMARKS_EVENT_SOURCE,
            owner ->
                cache
                    .byIndex(WATERMARK_OWNER_INDEX, owner.namespace() + "/" + owner.name())
                    .stream()
                    .map(ResourceID::fromResource)
                    .toList(),
            this::forget);
    // A Pipeline reads from a CdcSource it names: the one created (or changed) after the Pipeline
    // triggers it at once, through an index of the Pipelines by the CdcSource they name.
    context
        .getPrimaryCache()
        .addIndexer(
            CDC_SOURCE_INDEX,
            pipeline -> PipelineReferences.cdcSourceKey(pipeline).stream().toList());
    var cdcSources =
        InformerEventSourceConfiguration.from(CdcSource.class, Pipeline.class)
            .withName(CDC_SOURCES_EVENT_SOURCE)
            .withNamespacesInheritedFromController()
            // Its spec, not its status (the slot lag changes every measurement).
            .withOnUpdateFilter(
                (CdcSource now, CdcSource before) ->
                    !Objects.equals(
                        now.getMetadata().getGeneration(), before.getMetadata().getGeneration()))
            .withSecondaryToPrimaryMapper(
                (CdcSource source) ->
                    context
                        .getPrimaryCache()
                        .byIndex(
                            CDC_SOURCE_INDEX,
                            source.getMetadata().getNamespace()
                                + "/"
                                + source.getMetadata().getName())
                        .stream()
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(
                (Pipeline pipeline) ->
                    pipeline.getSpec().source.cdc == null
                        ? Set.of()
                        : Set.of(
                            new ResourceID(
                                pipeline.getSpec().source.cdc.sourceRef.name,
                                pipeline.getMetadata().getNamespace())))
            .build();
    return List.of(
        new InformerEventSource<>(rules, context),
        new InformerEventSource<>(cdcSources, context),
        watermarks);
  }

  /** The Pipeline itself and, for a cdc source, its CdcSource: names watermarks are keyed by. */
  static List<String> watermarkOwners(Pipeline pipeline) {
    String ns = pipeline.getMetadata().getNamespace();
    var source = pipeline.getSpec() == null ? null : pipeline.getSpec().source;
    return source != null && source.cdc != null && source.cdc.sourceRef != null
        ? List.of(ns + "/" + pipeline.getMetadata().getName(), ns + "/" + source.cdc.sourceRef.name)
        : List.of(ns + "/" + pipeline.getMetadata().getName());
  }

  @Override
  public UpdateControl<Pipeline> reconcile(Pipeline pipeline, Context<Pipeline> context) {
    ChildEventBatch events = ChildEventBatch.start(context);
    try {
      return reconcileWithEvents(pipeline, context);
    } finally {
      events.flush(context.getClient(), pipeline);
    }
  }

  private UpdateControl<Pipeline> reconcileWithEvents(
      Pipeline pipeline, Context<Pipeline> context) {
    CdcSource cdcSource =
        pipeline.getSpec().source.cdc == null
            ? null
            : context.getSecondaryResource(CdcSource.class).orElse(null);
    Optional<ReferenceProblem> problem =
        new PipelineReferences(context.getClient(), config, references).check(pipeline, cdcSource);
    if (problem.isPresent()) {
      LOG.info(
          "Pipeline {}/{} not rendered: {}",
          pipeline.getMetadata().getNamespace(),
          pipeline.getMetadata().getName(),
          problem.get().message());
      PipelineStatus status =
          PipelineStatusBuilder.problem(pipeline, problem.get(), clock.instant());
      // A CdcSource is watched (its creation triggers this Pipeline); a Secret or Kafka is not
      // (get only, no list/watch on them): look again soon, then less often.
      Duration recheck =
          "CdcSourceNotFound".equals(problem.get().reason())
              ? ReferenceRecheck.LAST
              : ReferenceRecheck.after(
                  pipeline.getStatus() == null ? List.of() : pipeline.getStatus().conditions,
                  problem.get().reason(),
                  clock.instant());
      return patchStatusIfChanged(pipeline, status, context).rescheduleAfter(recheck);
    }

    List<QualityRule> rules = List.copyOf(context.getSecondaryResources(QualityRule.class));
    ResolvedPipeline resolved = ResolvedPipeline.resolve(pipeline, rules, cdcSource, config);
    var workflow = context.managedWorkflowAndDependentResourceContext();
    workflow.put(ResolvedPipeline.CONTEXT_KEY, resolved);
    workflow.reconcileManagedWorkflow().throwAggregateExceptionIfErrorsPresent();

    Instant now = clock.instant();
    FreshnessCheck fresh = freshness(resolved, now);
    PipelineStatus status =
        PipelineStatusBuilder.build(
            resolved,
            context.getSecondaryResources(KafkaTopic.class),
            context.getSecondaryResources(Deployment.class),
            context.getSecondaryResources(CronJob.class),
            fresh.report(),
            freshness.enabled()
                ? QualityVerdict.pipeline(
                    pipeline, rules, resolved.workerConfig().quality(), freshness.quality())
                : null,
            now);
    PiiRetention.Verdict pii =
        PiiRetention.evaluate(
            resolved,
            freshness.enabled()
                ? freshness
                    .purges()
                    .latest(pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName())
                : Optional.empty(),
            freshness
                .store()
                .tablesOf(pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName())
                .values(),
            freshness.enabled(),
            now);
    PipelineStatusBuilder.piiRetention(pipeline, status, pii, now);
    piiPurges.record(pipeline, context.getSecondaryResources(CronJob.class));
    announcePurge(pipeline, pii.lastPurge(), context);
    UpdateControl<Pipeline> control = patchStatusIfChanged(pipeline, status, context);
    // A stalled loader sends nothing, a stopped purge neither: look again when the first SLA
    // runs out, or when what the last purge left turns older than the PII limit.
    Duration recheck = fresh.recheck();
    if (pii.nextChange() != null) {
      Duration untilPii = Duration.between(now, pii.nextChange()).plus(RECHECK_MARGIN);
      recheck = recheck == null || untilPii.compareTo(recheck) < 0 ? untilPii : recheck;
    }
    return recheck == null ? control : control.rescheduleAfter(recheck);
  }

  /** One Event per pii-purge run, when status first shows it (so a restart repeats none). */
  private static void announcePurge(
      Pipeline pipeline, PurgeRunStatus run, Context<Pipeline> context) {
    if (run == null) {
      return;
    }
    PurgeRunStatus shown = pipeline.getStatus() == null ? null : pipeline.getStatus().lastPurge;
    if (shown != null && Objects.equals(shown.runId, run.runId)) {
      return;
    }
    boolean ok = Boolean.TRUE.equals(run.succeeded);
    new ChildEvents(context.getClient())
        .record(
            pipeline,
            ok ? ChildEvents.NORMAL : ChildEvents.WARNING,
            ok ? "PiiPurged" : "PiiPurgeFailed",
            truncate("pii-purge run " + run.runId + ": " + run.message));
  }

  private static String truncate(String message) {
    return message.length() <= 1000 ? message : message.substring(0, 997) + "...";
  }

  /**
   * @param report null when freshness is not tracked
   * @param recheck when the verdict next changes without a new watermark; null if it cannot
   */
  private record FreshnessCheck(FreshnessReport report, Duration recheck) {}

  private FreshnessCheck freshness(ResolvedPipeline resolved, Instant now) {
    if (!freshness.enabled()) {
      return new FreshnessCheck(null, null);
    }
    Pipeline pipeline = resolved.pipeline();
    String ns = pipeline.getMetadata().getNamespace();
    boolean wasSuspended =
        pipeline.getStatus() != null
            && Conditions.find(
                    pipeline.getStatus().conditions, CrdConstants.CONDITION_FRESHNESS_SLA_MET)
                .map(c -> "Suspended".equals(c.getReason()))
                .orElse(false);
    Instant since = freshness.since(pipeline, resolved.suspended(), wasSuspended, now);
    List<FreshnessTables.Tracked> tables = FreshnessTables.of(pipeline, resolved.cdcSource());
    Map<String, Duration> slas = new LinkedHashMap<>();
    Map<String, Watermark> latest = new HashMap<>();
    tables.forEach(t -> slas.putIfAbsent(t.table(), t.sla()));
    tables.stream()
        .collect(
            Collectors.groupingBy(
                FreshnessTables.Tracked::owner,
                Collectors.mapping(FreshnessTables.Tracked::table, Collectors.toList())))
        .forEach((owner, names) -> latest.putAll(freshness.latest(ns, owner, names, since)));
    FreshnessReport report = FreshnessEvaluator.evaluate(slas, latest, since, now);
    freshness.metrics().record(ns, pipeline.getMetadata().getName(), report.tables());
    Duration recheck =
        resolved.suspended()
            ? null
            : FreshnessEvaluator.nextChange(slas, latest, since, now)
                .map(at -> Duration.between(now, at).plus(RECHECK_MARGIN))
                .orElse(null);
    return new FreshnessCheck(report, recheck);
  }

  /** Drops the gauges and bookkeeping of a deleted Pipeline. */
  private void forget(Pipeline deleted) {
    freshness
        .metrics()
        .forget(deleted.getMetadata().getNamespace(), deleted.getMetadata().getName());
    freshness.conditions().forget(deleted);
    piiPurges.forget(deleted.getMetadata().getNamespace(), deleted.getMetadata().getName());
  }

  /**
   * A status-only patch, or nothing when the status is unchanged. This is the last step of every
   * reconcile: a Pipeline deleted while it ran (the informer drops it from the cache before the
   * deletion reaches {@link #forget}) has what the reconcile recorded dropped here.
   */
  private UpdateControl<Pipeline> patchStatusIfChanged(
      Pipeline pipeline, PipelineStatus status, Context<Pipeline> context) {
    freshness.conditions().record(pipeline, status.conditions);
    if (context.getPrimaryCache().get(ResourceID.fromResource(pipeline)).isEmpty()) {
      forget(pipeline);
    }
    if (!StatusUpdates.unchanged(pipeline.getStatus(), status)) {
      warnOnNewProblem(pipeline, status, context);
    }
    return StatusUpdates.patchIfChanged(pipeline, status, Pipeline::new);
  }

  /** One Warning Event when Ready turns False for a new reason, not one per retry. */
  private static void warnOnNewProblem(
      Pipeline pipeline, PipelineStatus status, Context<Pipeline> context) {
    var now = Conditions.find(status.conditions, CrdConstants.CONDITION_READY).orElseThrow();
    var before =
        pipeline.getStatus() == null
            ? Optional.<io.fabric8.kubernetes.api.model.Condition>empty()
            : Conditions.find(pipeline.getStatus().conditions, CrdConstants.CONDITION_READY);
    boolean problem =
        Conditions.FALSE.equals(now.getStatus()) && WARNING_REASONS.contains(now.getReason());
    boolean changed =
        before.isEmpty()
            || !Objects.equals(before.get().getReason(), now.getReason())
            || !Objects.equals(before.get().getMessage(), now.getMessage());
    if (problem && changed) {
      new ChildEvents(context.getClient()).warning(pipeline, now.getReason(), now.getMessage());
    }
  }
}
