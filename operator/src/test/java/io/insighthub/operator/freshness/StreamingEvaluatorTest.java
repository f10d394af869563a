package io.insighthub.operator.freshness;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.operator.testing.Samples;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A CdcSource's Streaming condition from cdc-load's watermarks and the connector's state. */
class StreamingEvaluatorTest {
  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  static final Instant CREATED = NOW.minus(Duration.ofHours(1));

  final CdcSource source = Samples.cdcSource("billing-db");

  @Test
  void theWindowIsTheStreamingSlaOrThreeHeartbeatsWhenLonger() {
    assertThat(StreamingEvaluator.window(source)).isEqualTo(Duration.ofMinutes(2));
    source.getSpec().heartbeatInterval = "1m";
    assertThat(StreamingEvaluator.window(source)).isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void recentLoadsMeanStreamingWithTheNewestSourceCommitAsLastEvent() {
    var streaming =
        StreamingEvaluator.evaluate(
            source,
            "RUNNING",
            Map.of(
                "VALIDATED.ACCOUNTS", mark("VALIDATED.ACCOUNTS", 90, 60),
                "VALIDATED.INVOICES", mark("VALIDATED.INVOICES", 20, 5)),
            CREATED,
            NOW);

    assertThat(streaming.condition().getStatus()).isEqualTo("True");
    assertThat(streaming.condition().getReason()).isEqualTo("ChangesLoaded");
    assertThat(streaming.condition().getMessage())
        .isEqualTo("cdc-load loaded changes within the last 2m (2 of 3 tables loaded so far)");
    assertThat(streaming.lastEventTime()).isEqualTo(NOW.minusSeconds(20).toString());
    assertThat(streaming.recheck()).isEqualTo(NOW.minusSeconds(5).plus(Duration.ofMinutes(2)));
  }

  @Test
  void heartbeatProofsOfAQuietSourceKeepItStreaming() {
    // No change for an hour; cdc-load proves the tables complete every heartbeat.
    var streaming =
        StreamingEvaluator.evaluate(
            source,
            "RUNNING",
            Map.of(
                "VALIDATED.ACCOUNTS", proven("VALIDATED.ACCOUNTS", 3600, 12, 9),
                "VALIDATED.INVOICES", proven("VALIDATED.INVOICES", 4000, 12, 9)),
            CREATED,
            NOW);

    assertThat(streaming.condition().getStatus()).isEqualTo("True");
    assertThat(streaming.condition().getReason()).isEqualTo("ChangesLoaded");
    assertThat(streaming.condition().getMessage())
        .isEqualTo(
            "cdc-load loaded changes or proved its tables complete within the last 2m (complete"
                + " as of 2026-11-27T11:59:48Z; 2 of 3 tables reported so far)");
    assertThat(streaming.lastEventTime()).isEqualTo(NOW.minusSeconds(3600).toString());
    assertThat(streaming.recheck()).isEqualTo(NOW.minusSeconds(9).plus(Duration.ofMinutes(2)));
  }

  @Test
  void proofsThatStopWhileTheConnectorRunsTurnItFalseAsLoadsDo() {
    var streaming =
        StreamingEvaluator.evaluate(
            source,
            "RUNNING",
            Map.of("VALIDATED.INVOICES", proven("VALIDATED.INVOICES", 3600, 160, 150)),
            CREATED,
            NOW);

    assertThat(streaming.condition().getStatus()).isEqualTo("False");
    assertThat(streaming.condition().getReason()).isEqualTo("NoRecentLoads");
    assertThat(streaming.condition().getMessage())
        .isEqualTo(
            "connector RUNNING, but cdc-load's last load (VALIDATED.INVOICES) was at"
                + " 2026-11-27T11:57:30Z, more than 2m ago (loader stalled, or no change in the"
                + " source)");
  }

  @Test
  void loadsThatStopWhileTheConnectorRunsTurnItFalse() {
    var streaming =
        StreamingEvaluator.evaluate(
            source,
            "RUNNING",
            Map.of("VALIDATED.INVOICES", mark("VALIDATED.INVOICES", 200, 150)),
            CREATED,
            NOW);

    assertThat(streaming.condition().getStatus()).isEqualTo("False");
    assertThat(streaming.condition().getReason()).isEqualTo("NoRecentLoads");
    assertThat(streaming.condition().getMessage())
        .isEqualTo(
            "connector RUNNING, but cdc-load's last load (VALIDATED.INVOICES) was at"
                + " 2026-11-27T11:57:30Z, more than 2m ago (loader stalled, or no change in the"
                + " source)");
    assertThat(streaming.recheck()).isNull();
  }

  @Test
  void noLoadAtAllIsAwaitedForOneWindowThenFalse() {
    var awaiting =
        StreamingEvaluator.evaluate(source, "RUNNING", Map.of(), NOW.minusSeconds(30), NOW);
    assertThat(awaiting.condition().getStatus()).isEqualTo("Unknown");
    assertThat(awaiting.condition().getReason()).isEqualTo("AwaitingFirstLoad");
    assertThat(awaiting.recheck()).isEqualTo(NOW.plusSeconds(90));

    var none = StreamingEvaluator.evaluate(source, "RUNNING", Map.of(), CREATED, NOW);
    assertThat(none.condition().getStatus()).isEqualTo("False");
    assertThat(none.condition().getReason()).isEqualTo("NoLoads");
    assertThat(none.condition().getMessage())
        .contains("VALIDATED.ACCOUNTS, VALIDATED.SUBSCRIPTIONS, VALIDATED.INVOICES");
  }

  @Test
  void aConnectorThatDoesNotRunIsNotStreamingAndASuspendedOneSaysSo() {
    var failed = StreamingEvaluator.evaluate(source, "FAILED", Map.of(), CREATED, NOW);
    assertThat(failed.condition().getReason()).isEqualTo("ConnectorNotRunning");
    assertThat(failed.condition().getMessage()).contains("FAILED");

    source.getSpec().suspend = true;
    var suspended = StreamingEvaluator.evaluate(source, "STOPPED", Map.of(), CREATED, NOW);
    assertThat(suspended.condition().getStatus()).isEqualTo("False");
    assertThat(suspended.condition().getReason()).isEqualTo("Suspended");
  }

  private static Watermark proven(
      String table, long eventAgeSeconds, long completeAgeSeconds, long loadAgeSeconds) {
    return new Watermark(
        "analytics",
        "billing-db",
        table,
        NOW.minusSeconds(eventAgeSeconds),
        NOW.minusSeconds(loadAgeSeconds),
        0,
        0,
        null,
        NOW.minusSeconds(completeAgeSeconds));
  }

  private static Watermark mark(String table, long eventAgeSeconds, long loadAgeSeconds) {
    return new Watermark(
        "analytics",
        "billing-db",
        table,
        NOW.minusSeconds(eventAgeSeconds),
        NOW.minusSeconds(loadAgeSeconds),
        10,
        0);
  }
}
