package io.insighthub.operator.cdc;

import static io.insighthub.crds.CrdConstants.CONDITION_CONNECTOR_READY;
import static io.insighthub.crds.CrdConstants.CONDITION_READY;
import static io.insighthub.crds.CrdConstants.CONDITION_REPLICATION_SLOT_HEALTHY;
import static io.insighthub.crds.CrdConstants.CONDITION_STREAMING;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.CdcSourceStatus;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.common.ReferenceProblem;
import io.insighthub.operator.freshness.FreshnessTracking;
import io.insighthub.operator.freshness.StreamingEvaluator;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Derives a CdcSource's status from its KafkaConnector (Strimzi's Ready condition and the connector
 * state Kafka Connect reports) and its cdc-load Deployment.
 */
public final class CdcSourceStatusBuilder {
  private CdcSourceStatusBuilder() {}

  /**
   * @param slot the last measurement of the replication slot, empty until the first one
   * @param streaming the Streaming condition and last event time from cdc-load's watermarks; null
   *     when the operator reads no watermarks
   */
  public static CdcSourceStatus build(
      CdcSource source,
      Optional<KafkaConnector> connector,
      Optional<Deployment> loader,
      Optional<SlotMeasurement> slot,
      StreamingEvaluator.Streaming streaming,
      Instant now) {
    boolean suspended = Boolean.TRUE.equals(source.getSpec().suspend);
    Condition connectorReady = connectorReady(source, connector);
    Condition ready;
    if (suspended) {
      ready =
          Conditions.failed(
              CONDITION_READY,
              "Suspended",
              "spec.suspend is true: connector stopped and cdc-load scaled to 0; offsets and the"
                  + " slot position are kept");
    } else if (!Conditions.TRUE.equals(connectorReady.getStatus())) {
      ready =
          Conditions.failed(
              CONDITION_READY, connectorReady.getReason(), connectorReady.getMessage());
    } else {
      ready = loaderReady(source, loader);
    }
    List<Condition> conditions = new ArrayList<>();
    conditions.add(ready);
    conditions.add(connectorReady);
    conditions.add(
        streaming != null
            ? streaming.condition()
            : Conditions.unknown(
                CONDITION_STREAMING,
                "StreamingNotTracked",
                "The operator reads no watermarks: set "
                    + FreshnessTracking.ENV_BOOTSTRAP
                    + " (or INSIGHTHUB_KAFKA_BOOTSTRAP_SERVERS) on the operator"));
    conditions.add(
        slot.map(
                m ->
                    Conditions.of(
                        CONDITION_REPLICATION_SLOT_HEALTHY, m.status(), m.reason(), m.message()))
            .orElseGet(
                () ->
                    Conditions.unknown(
                        CONDITION_REPLICATION_SLOT_HEALTHY,
                        "NotMeasured",
                        "Retained WAL of slot "
                            + source.getSpec().slotName
                            + " not measured yet")));
    CdcSourceStatus status = status(source, conditions, now);
    status.connectorState = connector.map(CdcSourceStatusBuilder::connectorState).orElse(null);
    if (streaming != null && streaming.lastEventTime() != null) {
      status.lastEventTime = streaming.lastEventTime();
    }
    if (slot.isPresent() && slot.get().retainedBytes() != null) {
      status.slotLagBytes = slot.get().retainedBytes();
      status.slotLag = SlotLag.format(slot.get().retainedBytes());
    }
    return status;
  }

  public static CdcSourceStatus problem(CdcSource source, ReferenceProblem problem, Instant now) {
    List<Condition> conditions = new ArrayList<>();
    conditions.add(Conditions.failed(CONDITION_READY, problem.reason(), problem.message()));
    List<Condition> previous =
        source.getStatus() != null ? source.getStatus().conditions : List.of();
    for (String type :
        List.of(
            CONDITION_CONNECTOR_READY, CONDITION_STREAMING, CONDITION_REPLICATION_SLOT_HEALTHY)) {
      conditions.add(
          Conditions.find(previous, type)
              .orElse(
                  Conditions.unknown(type, "NotReconciled", "Waiting for " + problem.reason())));
    }
    CdcSourceStatus status = status(source, conditions, now);
    if (source.getStatus() != null) {
      status.connectorState = source.getStatus().connectorState;
    }
    return status;
  }

  private static CdcSourceStatus status(CdcSource source, List<Condition> conditions, Instant now) {
    CdcSourceStatus previous = source.getStatus();
    CdcSourceStatus status = new CdcSourceStatus();
    status.observedGeneration = source.getMetadata().getGeneration();
    status.conditions =
        Conditions.merge(
            previous != null ? previous.conditions : List.of(),
            conditions,
            Objects.requireNonNullElse(source.getMetadata().getGeneration(), 0L),
            now);
    String prefix = CdcTopics.prefix(source);
    status.topics = source.getSpec().tables.stream().map(t -> prefix + "." + t).toList();
    if (previous != null) {
      status.lastEventTime = previous.lastEventTime;
      status.slotLag = previous.slotLag;
      status.slotLagBytes = previous.slotLagBytes;
    }
    return status;
  }

  private static Condition connectorReady(CdcSource source, Optional<KafkaConnector> connector) {
    String name = "KafkaConnector " + source.getMetadata().getName();
    if (connector.isEmpty()) {
      return Conditions.failed(
          CONDITION_CONNECTOR_READY, "ConnectorPending", name + ": not created yet");
    }
    var status = connector.get().getStatus();
    Long generation = connector.get().getMetadata().getGeneration();
    var ready =
        status == null || status.getConditions() == null
            ? Optional.<io.strimzi.api.kafka.model.common.Condition>empty()
            : status.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    if (ready.isEmpty() || (generation != null && status.getObservedGeneration() < generation)) {
      return Conditions.failed(
          CONDITION_CONNECTOR_READY,
          "ConnectorPending",
          name + ": waiting for Strimzi to reconcile it");
    }
    if (!"True".equals(ready.get().getStatus())) {
      String why =
          ready.get().getMessage() != null ? ready.get().getMessage() : ready.get().getReason();
      return Conditions.failed(
          CONDITION_CONNECTOR_READY, "ConnectorNotReady", name + ": Strimzi reports '" + why + "'");
    }
    String state = connectorState(connector.get());
    if ("FAILED".equals(state)) {
      return Conditions.failed(
          CONDITION_CONNECTOR_READY,
          "ConnectorFailed",
          name + ": Kafka Connect reports FAILED; Strimzi's auto-restart is on");
    }
    return Conditions.ok(
        CONDITION_CONNECTOR_READY,
        "ConnectorReady",
        name + " is ready" + (state != null ? " (" + state + ")" : ""));
  }

  private static Condition loaderReady(CdcSource source, Optional<Deployment> loader) {
    String name = CdcLoaderBuilder.deploymentName(source);
    if (loader.isEmpty()) {
      return Conditions.failed(
          CONDITION_READY, "LoaderPending", "Deployment " + name + " not created yet");
    }
    int desired = Objects.requireNonNullElse(loader.get().getSpec().getReplicas(), 1);
    var status = loader.get().getStatus();
    int available =
        status == null ? 0 : Objects.requireNonNullElse(status.getAvailableReplicas(), 0);
    if (available < desired) {
      return Conditions.failed(
          CONDITION_READY,
          "LoaderUnavailable",
          "Deployment " + name + ": " + available + "/" + desired + " replicas available");
    }
    return Conditions.ok(CONDITION_READY, "AllReady", "Connector and cdc-load worker are ready");
  }

  /** connectorStatus.connector.state as Kafka Connect reports it (RUNNING, STOPPED, FAILED...). */
  @SuppressWarnings("unchecked")
  static String connectorState(KafkaConnector connector) {
    if (connector.getStatus() == null || connector.getStatus().getConnectorStatus() == null) {
      return null;
    }
    Object inner = connector.getStatus().getConnectorStatus().get("connector");
    return inner instanceof Map<?, ?> map && map.get("state") != null
        ? map.get("state").toString()
        : null;
  }
}
