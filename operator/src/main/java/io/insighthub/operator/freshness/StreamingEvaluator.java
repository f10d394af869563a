package io.insighthub.operator.freshness;

import static io.insighthub.crds.CrdConstants.CONDITION_STREAMING;

import io.fabric8.kubernetes.api.model.Condition;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.FreshnessSpec;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.common.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A CdcSource's Streaming condition and last event time, from the watermarks its cdc-load worker
 * publishes per table: True while they keep coming within the streaming window, False with a reason
 * when they stop while Kafka Connect reports the connector RUNNING (or when it does not run). A
 * watermark comes with each load and, while the source is quiet, with each connector heartbeat
 * cdc-load has proven its tables complete for: so it proves the connector and the loader alive.
 */
public final class StreamingEvaluator {
  public static final String REASON_CHANGES_LOADED = "ChangesLoaded";
  public static final String REASON_NO_RECENT_LOADS = "NoRecentLoads";
  public static final String REASON_NO_LOADS = "NoLoads";
  public static final String REASON_CONNECTOR_NOT_RUNNING = "ConnectorNotRunning";
  public static final String REASON_AWAITING_FIRST_LOAD = "AwaitingFirstLoad";
  public static final String REASON_SUSPENDED = "Suspended";

  /**
   * @param condition the Streaming condition
   * @param lastEventTime newest source commit time loaded (RFC 3339); null when none is known
   * @param recheck when the condition next changes with no new watermark; null if it cannot
   */
  public record Streaming(Condition condition, String lastEventTime, Instant recheck) {}

  private StreamingEvaluator() {}

  /**
   * How long the loader may go without a watermark before Streaming turns False: the default
   * streaming SLA, or three heartbeats when those are longer. A quiet source keeps its watermarks
   * coming through its heartbeats; one whose connector or loader stops does not.
   */
  public static Duration window(CdcSource source) {
    Duration sla = Durations.parse(new FreshnessSpec().streamingSla);
    String heartbeat = source.getSpec().heartbeatInterval;
    Duration beats = heartbeat == null ? Duration.ZERO : Durations.parse(heartbeat).multipliedBy(3);
    return beats.compareTo(sla) > 0 ? beats : sla;
  }

  /**
   * @param connectorState the connector's state as Kafka Connect reports it, null if unknown
   * @param latest the latest watermark per table since {@code since}
   * @param since when the source started to be expected to stream (creation or resume)
   */
  public static Streaming evaluate(
      CdcSource source,
      String connectorState,
      Map<String, Watermark> latest,
      Instant since,
      Instant now) {
    Duration window = window(source);
    String lastEventTime =
        latest.values().stream()
            .map(Watermark::maxEventTime)
            .filter(Objects::nonNull)
            .max(Comparator.naturalOrder())
            .map(Instant::toString)
            .orElse(null);
    Optional<Watermark> newest =
        latest.values().stream().max(Comparator.comparing(Watermark::loadTime));
    if (Boolean.TRUE.equals(source.getSpec().suspend)) {
      return new Streaming(
          Conditions.failed(
              CONDITION_STREAMING,
              REASON_SUSPENDED,
              "spec.suspend is true: the connector is stopped and no change is loaded"),
          lastEventTime,
          null);
    }
    if (connectorState != null && !"RUNNING".equals(connectorState)) {
      return new Streaming(
          Conditions.failed(
              CONDITION_STREAMING,
              REASON_CONNECTOR_NOT_RUNNING,
              "Kafka Connect reports the connector " + connectorState + "; no change is captured"),
          lastEventTime,
          null);
    }
    String running = connectorState == null ? "" : "connector RUNNING, but ";
    List<String> tables = FreshnessTables.of(source);
    if (newest.isEmpty()) {
      Instant deadline = since.plus(window);
      if (!now.isAfter(deadline)) {
        return new Streaming(
            Conditions.unknown(
                CONDITION_STREAMING,
                REASON_AWAITING_FIRST_LOAD,
                "Waiting for cdc-load's first load of " + String.join(", ", tables)),
            lastEventTime,
            deadline);
      }
      return new Streaming(
          Conditions.failed(
              CONDITION_STREAMING,
              REASON_NO_LOADS,
              running
                  + "cdc-load reported no load of "
                  + String.join(", ", tables)
                  + " within "
                  + FreshnessEvaluator.human(window)
                  + " (loader down, or no change in the source)"),
          lastEventTime,
          null);
    }
    Watermark last = newest.get();
    Instant deadline = last.loadTime().plus(window);
    if (now.isAfter(deadline)) {
      return new Streaming(
          Conditions.failed(
              CONDITION_STREAMING,
              REASON_NO_RECENT_LOADS,
              running
                  + "cdc-load's last load ("
                  + last.table()
                  + ") was at "
                  + last.loadTime()
                  + ", more than "
                  + FreshnessEvaluator.human(window)
                  + " ago (loader stalled, or no change in the source)"),
          lastEventTime,
          null);
    }
    Optional<Instant> complete =
        latest.values().stream()
            .map(Watermark::caughtUpTo)
            .filter(Objects::nonNull)
            .max(Comparator.naturalOrder());
    String message =
        complete.isEmpty()
            ? "cdc-load loaded changes within the last "
                + FreshnessEvaluator.human(window)
                + " ("
                + latest.size()
                + " of "
                + tables.size()
                + " tables loaded so far)"
            : "cdc-load loaded changes or proved its tables complete within the last "
                + FreshnessEvaluator.human(window)
                + " (complete as of "
                + complete.get()
                + "; "
                + latest.size()
                + " of "
                + tables.size()
                + " tables reported so far)";
    return new Streaming(
        Conditions.ok(CONDITION_STREAMING, REASON_CHANGES_LOADED, message),
        lastEventTime,
        deadline);
  }
}
