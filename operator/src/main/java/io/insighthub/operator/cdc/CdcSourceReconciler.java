package io.insighthub.operator.cdc;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.CdcSourceStatus;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.ChildEventBatch;
import io.insighthub.operator.common.ChildEvents;
import io.insighthub.operator.common.CompactingItemStore;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.common.ReferenceCache;
import io.insighthub.operator.common.ReferenceProblem;
import io.insighthub.operator.common.ReferenceRecheck;
import io.insighthub.operator.common.StatusUpdates;
import io.insighthub.operator.freshness.FreshnessTables;
import io.insighthub.operator.freshness.FreshnessTracking;
import io.insighthub.operator.freshness.StreamingEvaluator;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.ResourceIDMapper;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a CdcSource: checks its references, renders the Debezium KafkaConnector and the
 * cdc-load worker, and reports the connector's state as conditions.
 */
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = CdcSourceReconciler.CONNECTOR, type = ConnectorDependentResource.class),
      @Dependent(
          name = CdcSourceReconciler.CONFIG,
          type = CdcLoaderConfigMapDependentResource.class),
      @Dependent(
          name = CdcSourceReconciler.LOADER,
          type = CdcLoaderDeploymentDependentResource.class,
          dependsOn = CdcSourceReconciler.CONFIG)
    })
@ControllerConfiguration(
    name = "cdcsource",
    fieldManager = OperatorConfig.FIELD_MANAGER,
    finalizerName = CdcSourceReconciler.FINALIZER,
    informer = @Informer(itemStore = CompactingItemStore.class))
public class CdcSourceReconciler implements Reconciler<CdcSource>, Cleaner<CdcSource> {
  /** Held until the replication slot is dropped (DESIGN.md section 5). */
  public static final String FINALIZER = "data.insighthub.io/replication-slot";

  static final String CONNECTOR = "connector";
  static final String CONFIG = "cdc-load-config";
  static final String LOADER = "cdc-load";
  static final String SLOT_EVENT_SOURCE = "replication-slot";

  private static final Logger LOG = LoggerFactory.getLogger(CdcSourceReconciler.class);

  static final String WATERMARKS_EVENT_SOURCE = "watermarks";

  private final OperatorConfig config;
  private final Clock clock;
  private final FreshnessTracking freshness;
  private final ReferenceCache references;

  public CdcSourceReconciler(OperatorConfig config, Clock clock) {
    this(config, clock, FreshnessTracking.disabled());
  }

  public CdcSourceReconciler(OperatorConfig config, Clock clock, FreshnessTracking freshness) {
    this.config = config;
    this.clock = clock;
    this.freshness = freshness;
    this.references = new ReferenceCache(clock);
  }

  static ResolvedCdcSource resolved(Context<CdcSource> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .getMandatory(ResolvedCdcSource.CONTEXT_KEY, ResolvedCdcSource.class);
  }

  /**
   * Measures every CdcSource's slot periodically, and follows cdc-load's watermarks; a changed
   * measurement or a new watermark triggers a reconcile.
   */
  @Override
  public List<EventSource<?, CdcSource>> prepareEventSources(
      EventSourceContext<CdcSource> context) {
    var slots =
        new PerResourcePollingConfigurationBuilder<SlotMeasurement, CdcSource, String>(
                new ReplicationSlotProbe(context.getClient()), config.slotCheckInterval())
            .withName(SLOT_EVENT_SOURCE)
            .withResourceIDMapper(ResourceIDMapper.singleResourceResourceIDMapper())
            .withRegisterPredicate(source -> source.getMetadata().getDeletionTimestamp() == null)
            .build();
    // cdc-load publishes its watermarks under the CdcSource's name.
    return List.of(
        new PerResourcePollingEventSource<>(SlotMeasurement.class, context, slots),
        freshness.<CdcSource>eventSource(
            WATERMARKS_EVENT_SOURCE,
            owner -> List.of(new ResourceID(owner.name(), owner.namespace())),
            deleted -> freshness.conditions().forget(deleted)));
  }

  @Override
  public UpdateControl<CdcSource> reconcile(CdcSource source, Context<CdcSource> context) {
    ChildEventBatch events = ChildEventBatch.start(context);
    try {
      return reconcileWithEvents(source, context);
    } finally {
      events.flush(context.getClient(), source);
    }
  }

  private UpdateControl<CdcSource> reconcileWithEvents(
      CdcSource source, Context<CdcSource> context) {
    Optional<ReferenceProblem> problem =
        new CdcSourceReferences(context.getClient(), config, references).check(source);
    if (problem.isPresent()) {
      LOG.info(
          "CdcSource {}/{} not rendered: {}",
          source.getMetadata().getNamespace(),
          source.getMetadata().getName(),
          problem.get().message());
      CdcSourceStatus status =
          CdcSourceStatusBuilder.problem(source, problem.get(), clock.instant());
      if (!StatusUpdates.unchanged(source.getStatus(), status)) {
        new ChildEvents(context.getClient())
            .warning(source, problem.get().reason(), problem.get().message());
      }
      // Secrets and the KafkaConnect are not watched (get only): look again soon, then less often.
      Duration recheck =
          ReferenceRecheck.after(
              source.getStatus() == null ? List.of() : source.getStatus().conditions,
              problem.get().reason(),
              clock.instant());
      freshness.conditions().record(source, status.conditions);
      return StatusUpdates.patchIfChanged(source, status, CdcSource::new).rescheduleAfter(recheck);
    }
    var workflow = context.managedWorkflowAndDependentResourceContext();
    workflow.put(ResolvedCdcSource.CONTEXT_KEY, ResolvedCdcSource.resolve(source, config));
    workflow.reconcileManagedWorkflow().throwAggregateExceptionIfErrorsPresent();

    Instant now = clock.instant();
    Optional<KafkaConnector> connector = context.getSecondaryResource(KafkaConnector.class);
    StreamingEvaluator.Streaming streaming = streaming(source, connector, now);
    CdcSourceStatus status =
        CdcSourceStatusBuilder.build(
            source,
            connector,
            context.getSecondaryResource(Deployment.class),
            context.getSecondaryResource(SlotMeasurement.class),
            streaming,
            now);
    freshness.conditions().record(source, status.conditions);
    UpdateControl<CdcSource> control = StatusUpdates.patchIfChanged(source, status, CdcSource::new);
    // Loads that stop send nothing: look again when the streaming window runs out.
    return streaming == null || streaming.recheck() == null
        ? control
        : control.rescheduleAfter(
            Duration.between(now, streaming.recheck()).plus(Duration.ofSeconds(1)));
  }

  private StreamingEvaluator.Streaming streaming(
      CdcSource source, Optional<KafkaConnector> connector, Instant now) {
    if (!freshness.enabled()) {
      return null;
    }
    boolean suspended = Boolean.TRUE.equals(source.getSpec().suspend);
    boolean wasSuspended =
        source.getStatus() != null
            && Conditions.find(source.getStatus().conditions, CrdConstants.CONDITION_STREAMING)
                .map(c -> StreamingEvaluator.REASON_SUSPENDED.equals(c.getReason()))
                .orElse(false);
    Instant since = freshness.since(source, suspended, wasSuspended, now);
    return StreamingEvaluator.evaluate(
        source,
        connector.map(CdcSourceStatusBuilder::connectorState).orElse(null),
        freshness.latest(
            source.getMetadata().getNamespace(),
            source.getMetadata().getName(),
            FreshnessTables.of(source),
            since),
        since,
        now);
  }

  @Override
  public DeleteControl cleanup(CdcSource source, Context<CdcSource> context) {
    return new ReplicationSlotCleanup(context.getClient(), config.postgresClientImage())
        .cleanup(source);
  }
}
