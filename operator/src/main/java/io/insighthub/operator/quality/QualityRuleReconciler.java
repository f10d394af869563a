package io.insighthub.operator.quality;

import io.fabric8.kubernetes.api.model.Condition;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.v1alpha1.QualityRuleStatus;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.common.StatusUpdates;
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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reports in a QualityRule's own status whether the Pipeline it names exists. The checks themselves
 * are folded into that Pipeline's worker config by the Pipeline reconciler.
 */
@ControllerConfiguration(name = "qualityrule", fieldManager = OperatorConfig.FIELD_MANAGER)
public class QualityRuleReconciler implements Reconciler<QualityRule> {
  private final Clock clock;

  public QualityRuleReconciler(Clock clock) {
    this.clock = clock;
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
    return List.of(new InformerEventSource<>(pipelines, context));
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
    Condition passing =
        Conditions.unknown(
            CrdConstants.CONDITION_QUALITY_PASSING,
            "NotEvaluated",
            "No evaluation reported by the workers yet");
    QualityRuleStatus previous = rule.getStatus();
    QualityRuleStatus status = new QualityRuleStatus();
    status.observedGeneration = rule.getMetadata().getGeneration();
    status.conditions =
        Conditions.merge(
            previous != null ? previous.conditions : List.of(),
            List.of(ready, passing),
            Objects.requireNonNullElse(rule.getMetadata().getGeneration(), 0L),
            clock.instant());
    if (previous != null) {
      status.lastEvaluationTime = previous.lastEvaluationTime;
      status.passCount = previous.passCount;
      status.failCount = previous.failCount;
      status.lastViolation = previous.lastViolation;
    }
    return StatusUpdates.patchIfChanged(rule, status, QualityRule::new);
  }

  private static boolean names(QualityRule rule, Pipeline pipeline) {
    return rule.getSpec() != null
        && rule.getSpec().pipelineRef != null
        && pipeline.getMetadata().getName().equals(rule.getSpec().pipelineRef.name);
  }
}
