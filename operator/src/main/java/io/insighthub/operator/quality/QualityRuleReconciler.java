package io.insighthub.operator.quality;

import io.fabric8.kubernetes.api.model.Condition;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import io.insighthub.crds.v1alpha1.QualityRuleStatus;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.common.StatusUpdates;
import io.insighthub.operator.freshness.FreshnessTracking;
import io.insighthub.operator.freshness.QualityResultStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reports in a QualityRule's own status whether the Pipeline it names exists and what the workers
 * found: evaluations counted, the last violation, and QualityPassing from the latest result of each
 * check. The checks themselves are folded into that Pipeline's worker config by the Pipeline
 * reconciler; results arrive on the watermark topic, and a rule is reconciled at most once per
 * flush interval of its consumer.
 */
@ControllerConfiguration(name = "qualityrule", fieldManager = OperatorConfig.FIELD_MANAGER)
public class QualityRuleReconciler implements Reconciler<QualityRule> {
  static final String WATERMARKS_EVENT_SOURCE = "quality-results";

  /** Primary-cache index: namespace/name of the Pipeline a rule names. */
  static final String PIPELINE_INDEX = "pipeline-ref";

  private final Clock clock;
  private final FreshnessTracking tracking;

  public QualityRuleReconciler(Clock clock) {
    this(clock, FreshnessTracking.disabled());
  }

  public QualityRuleReconciler(Clock clock, FreshnessTracking tracking) {
    this.clock = clock;
    this.tracking = tracking;
  }

  @Override
  public List<EventSource<?, QualityRule>> prepareEventSources(
      EventSourceContext<QualityRule> context) {
    // A Pipeline created or deleted after its rules changes what they report.
    var pipelines =
        InformerEventSourceConfiguration.from(Pipeline.class, QualityRule.class)
            .withNamespacesInheritedFromController()
            .withSecondaryToPrimaryMapper(
                (Pipeline pipeline) ->
                    context
                        .getPrimaryCache()
                        .list(pipeline.getMetadata().getNamespace())
                        .filter(rule -> names(rule, pipeline))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(
                (PrimaryToSecondaryMapper<QualityRule>)
                    rule ->
                        rule.getSpec() == null || rule.getSpec().pipelineRef == null
                            ? Set.of()
                            : Set.of(
                                new ResourceID(
                                    rule.getSpec().pipelineRef.name,
                                    rule.getMetadata().getNamespace())))
            .build();
    // New results for a Pipeline reconcile the rules that name it (batched by the consumer).
    var cache = context.getPrimaryCache();
    cache.addIndexer(
        PIPELINE_INDEX,
        rule ->
            rule.getSpec() == null || rule.getSpec().pipelineRef == null
                ? List.of()
                : List.of(
                    rule.getMetadata().getNamespace() + "/" + rule.getSpec().pipelineRef.name));
    var results =
        tracking.<QualityRule>resultsEventSource(
            WATERMARKS_EVENT_SOURCE,
            owner ->
                cache.byIndex(PIPELINE_INDEX, owner.namespace() + "/" + owner.name()).stream()
                    .map(ResourceID::fromResource)
                    .toList(),
            deleted -> {
              if (deleted.getSpec() != null && deleted.getSpec().pipelineRef != null) {
                tracking
                    .quality()
                    .forget(
                        deleted.getMetadata().getNamespace(),
                        deleted.getSpec().pipelineRef.name,
                        deleted.getMetadata().getName());
              }
            });
    return List.of(new InformerEventSource<>(pipelines, context), results);
  }

  @Override
  public UpdateControl<QualityRule> reconcile(QualityRule rule, Context<QualityRule> context) {
    Optional<Pipeline> pipeline = context.getSecondaryResource(Pipeline.class);
    String name = rule.getSpec().pipelineRef.name;
    Condition ready =
        pipeline.isPresent()
            ? Conditions.ok(
                CrdConstants.CONDITION_READY,
                "FoldedIntoPipeline",
                "Checks folded into the worker config of Pipeline " + name)
            : Conditions.failed(
                CrdConstants.CONDITION_READY,
                "PipelineNotFound",
                "Pipeline "
                    + name
                    + " (spec.pipelineRef) does not exist in namespace "
                    + rule.getMetadata().getNamespace()
                    + "; these checks apply to nothing until it is created");
    QualityRuleStatus previous = rule.getStatus();
    String ns = rule.getMetadata().getNamespace();
    String ruleName = rule.getMetadata().getName();
    // Results from before this rule existed belong to a deleted rule of the same name; those up
    // to the last evaluation written are counted already (re-read after a restart, say).
    Instant created = Instant.parse(rule.getMetadata().getCreationTimestamp());
    Instant after = created.minusNanos(1);
    if (previous != null && previous.lastEvaluationTime != null) {
      Instant written = Instant.parse(previous.lastEvaluationTime);
      after = written.isAfter(after) ? written : after;
    }
    QualityResultStore results = tracking.quality();
    Set<QualityCheck.Kind> declared = declared(rule.getSpec());
    List<QualityResult> latest =
        pipeline.isPresent()
            ? results.latest(ns, name, ruleName, created).stream()
                .filter(r -> declared.contains(r.kind()))
                .toList()
            : List.of();
    List<QualityResult> fresh =
        pipeline.isPresent() ? results.after(ns, name, ruleName, after) : List.of();
    Condition passing = QualityVerdict.ruleCondition(latest);
    QualityRuleStatus status = QualityVerdict.rule(previous, fresh, latest);
    status.observedGeneration = rule.getMetadata().getGeneration();
    status.conditions =
        Conditions.merge(
            previous != null ? previous.conditions : List.of(),
            List.of(ready, passing),
            Objects.requireNonNullElse(rule.getMetadata().getGeneration(), 0L),
            clock.instant());
    return StatusUpdates.patchIfChanged(rule, status, QualityRule::new);
  }

  /** The kinds of check the rule declares now: a removed check's last result no longer counts. */
  private static Set<QualityCheck.Kind> declared(QualityRuleSpec spec) {
    Set<QualityCheck.Kind> kinds = EnumSet.noneOf(QualityCheck.Kind.class);
    if (spec.schemaDrift != null) {
      kinds.add(QualityCheck.Kind.SCHEMA_DRIFT);
    }
    if (spec.duplicates != null) {
      kinds.add(QualityCheck.Kind.DUPLICATES);
    }
    if (spec.nullSpike != null) {
      kinds.add(QualityCheck.Kind.NULL_SPIKE);
    }
    if (spec.lateArrival != null) {
      kinds.add(QualityCheck.Kind.LATE_ARRIVAL);
    }
    if (spec.volume != null) {
      kinds.add(QualityCheck.Kind.VOLUME);
    }
    return kinds;
  }

  private static boolean names(QualityRule rule, Pipeline pipeline) {
    return rule.getSpec() != null
        && rule.getSpec().pipelineRef != null
        && pipeline.getMetadata().getName().equals(rule.getSpec().pipelineRef.name);
  }
}
