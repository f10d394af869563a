package io.insighthub.operator.freshness;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.worker.Watermark;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The FreshnessSLAMet verdict for each situation a data engineer needs told apart. */
class FreshnessEvaluatorTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final Instant CREATED = NOW.minus(Duration.ofHours(1));
  private static final Duration SLA = Duration.ofMinutes(2);

  @Test
  void freshTablesMeetTheSlaAndNameTheStalest() {
    FreshnessReport report =
        FreshnessEvaluator.evaluate(
            Map.of("VALIDATED.ORDERS", SLA, "CURATED.SESSIONS", SLA),
            Map.of(
                "VALIDATED.ORDERS", mark("VALIDATED.ORDERS", 43, 5),
                "CURATED.SESSIONS", mark("CURATED.SESSIONS", 10, 2)),
            CREATED,
            NOW);

    assertThat(report.met()).isEqualTo("True");
    assertThat(report.reason()).isEqualTo("WithinSla");
    assertThat(report.message())
        .isEqualTo("VALIDATED.ORDERS: lag 43s within SLA 2m (stalest of 2 tables)");
    assertThat(report.worstLag()).isEqualTo("43s");
    assertThat(report.sla()).isEqualTo("2m");
    assertThat(report.tables())
        .extracting(t -> t.table, t -> t.lagSeconds, t -> t.slaSeconds, t -> t.withinSla)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("CURATED.SESSIONS", 10L, 120L, true),
            org.assertj.core.groups.Tuple.tuple("VALIDATED.ORDERS", 43L, 120L, true));
  }

  @Test
  void lagBeyondTheSlaTurnsItFalseNamingTheTable() {
    FreshnessReport report =
        FreshnessEvaluator.evaluate(
            Map.of("VALIDATED.ORDERS", SLA),
            Map.of("VALIDATED.ORDERS", mark("VALIDATED.ORDERS", 185, 3)),
            CREATED,
            NOW);

    assertThat(report.met()).isEqualTo("False");
    assertThat(report.reason()).isEqualTo("LagExceedsSla");
    assertThat(report.message()).isEqualTo("VALIDATED.ORDERS: lag 3m5s exceeds SLA 2m");
  }

  @Test
  void aLoaderThatStoppedCommittingIsStalledEvenIfItsLastDataWasFresh() {
    FreshnessReport report =
        FreshnessEvaluator.evaluate(
            Map.of("VALIDATED.INVOICES", SLA),
            Map.of("VALIDATED.INVOICES", mark("VALIDATED.INVOICES", 200, 190)),
            CREATED,
            NOW);

    assertThat(report.reason()).isEqualTo("LoaderStalled");
    assertThat(report.message())
        .isEqualTo("VALIDATED.INVOICES: last load 3m10s ago, beyond SLA 2m");
  }

  @Test
  void aTableThatNeverReportedIsAwaitedForOneSlaThenMissing() {
    Map<String, Duration> slas = Map.of("VALIDATED.ACCOUNTS", SLA);

    FreshnessReport young = FreshnessEvaluator.evaluate(slas, Map.of(), NOW.minusSeconds(30), NOW);
    FreshnessReport old = FreshnessEvaluator.evaluate(slas, Map.of(), CREATED, NOW);

    assertThat(young.met()).isEqualTo("Unknown");
    assertThat(young.reason()).isEqualTo("AwaitingFirstLoad");
    assertThat(old.met()).isEqualTo("False");
    assertThat(old.reason()).isEqualTo("NoWatermark");
    assertThat(old.message())
        .isEqualTo(
            "VALIDATED.ACCOUNTS: no load reported within SLA 2m (loader stalled or connector down)");
  }

  @Test
  void theMostSevereProblemGivesTheReasonAndAllAreListed() {
    FreshnessReport report =
        FreshnessEvaluator.evaluate(
            Map.of("A.LAGGING", SLA, "B.MISSING", SLA, "C.FRESH", SLA),
            Map.of("A.LAGGING", mark("A.LAGGING", 300, 1), "C.FRESH", mark("C.FRESH", 1, 1)),
            CREATED,
            NOW);

    assertThat(report.reason()).isEqualTo("NoWatermark");
    assertThat(report.message())
        .contains("A.LAGGING: lag 5m exceeds SLA 2m")
        .contains("B.MISSING: no load reported")
        .doesNotContain("C.FRESH");
    assertThat(report.worstLag()).isEqualTo("5m");
  }

  @Test
  void theNextChangeIsTheFirstSlaDeadlineStillAhead() {
    Map<String, Duration> slas = Map.of("A.LOADED", SLA, "B.AWAITED", Duration.ofMinutes(10));
    // A: event 100s old, loaded 30s ago: late at event+2m (20s from now), stalled at load+2m.
    assertThat(
            FreshnessEvaluator.nextChange(
                slas, Map.of("A.LOADED", mark("A.LOADED", 100, 30)), NOW.minusSeconds(60), NOW))
        .contains(NOW.plusSeconds(20));
    // Once A is late, what is left ahead: its stall (90s) and B's first-load deadline (9m).
    assertThat(
            FreshnessEvaluator.nextChange(
                slas, Map.of("A.LOADED", mark("A.LOADED", 130, 30)), NOW.minusSeconds(60), NOW))
        .contains(NOW.plusSeconds(90));
    assertThat(FreshnessEvaluator.nextChange(Map.of("A.LOADED", SLA), Map.of(), CREATED, NOW))
        .isEmpty();
  }

  @Test
  void aWatermarkWithoutEventTimeIsJudgedByItsLoadTime() {
    Watermark mark = new Watermark("analytics", "orders", "A.T", null, NOW.minusSeconds(7), 1, 0);

    FreshnessReport report =
        FreshnessEvaluator.evaluate(Map.of("A.T", SLA), Map.of("A.T", mark), CREATED, NOW);

    assertThat(report.met()).isEqualTo("True");
    assertThat(report.tables().getFirst().lagSeconds).isEqualTo(7L);
    assertThat(report.tables().getFirst().maxEventTime).isNull();
  }

  @Test
  void aQuietCdcTableProvenCompleteByHeartbeatsIsFresh() {
    // No change for an hour, but cdc-load proved the table complete 8 s ago.
    Watermark quiet = quiet("RAW.PLANS", 3600, 8, 3);
    FreshnessReport report =
        FreshnessEvaluator.evaluate(
            Map.of("RAW.PLANS", SLA), Map.of("RAW.PLANS", quiet), CREATED, NOW);

    assertThat(report.met()).isEqualTo("True");
    assertThat(report.reason()).isEqualTo("WithinSla");
    assertThat(report.message()).isEqualTo("RAW.PLANS: lag 8s within SLA 2m");
    var table = report.tables().getFirst();
    assertThat(table.maxEventTime).isEqualTo(NOW.minusSeconds(3600).toString());
    assertThat(table.completeAsOf).isEqualTo(NOW.minusSeconds(8).toString());
    assertThat(table.lagSeconds).isEqualTo(8L);
    assertThat(table.withinSla).isTrue();
    // The next verdict change is when that proof grows older than the SLA.
    assertThat(
            FreshnessEvaluator.nextChange(
                Map.of("RAW.PLANS", SLA), Map.of("RAW.PLANS", quiet), CREATED, NOW))
        .contains(NOW.minusSeconds(8).plus(SLA));
  }

  @Test
  void heartbeatsThatStopLeaveTheLagGrowingFromTheLastProof() {
    FreshnessReport report =
        FreshnessEvaluator.evaluate(
            Map.of("RAW.PLANS", SLA),
            Map.of("RAW.PLANS", quiet("RAW.PLANS", 3600, 150, 100)),
            CREATED,
            NOW);

    assertThat(report.met()).isEqualTo("False");
    assertThat(report.reason()).isEqualTo("LagExceedsSla");
    assertThat(report.message()).isEqualTo("RAW.PLANS: lag 2m30s exceeds SLA 2m");
  }

  @Test
  void aProofOlderThanTheNewestChangeDoesNotHideIt() {
    FreshnessReport report =
        FreshnessEvaluator.evaluate(
            Map.of("RAW.PLANS", SLA),
            Map.of("RAW.PLANS", quiet("RAW.PLANS", 5, 400, 2)),
            CREATED,
            NOW);

    assertThat(report.met()).isEqualTo("True");
    assertThat(report.tables().getFirst().lagSeconds).isEqualTo(5L);
  }

  @Test
  void aCdcLoaderThatStopsReportingIsStalledWhateverItProvedBefore() {
    FreshnessReport report =
        FreshnessEvaluator.evaluate(
            Map.of("RAW.PLANS", SLA),
            Map.of("RAW.PLANS", quiet("RAW.PLANS", 3600, 130, 125)),
            CREATED,
            NOW);

    assertThat(report.met()).isEqualTo("False");
    assertThat(report.reason()).isEqualTo("LoaderStalled");
    assertThat(report.message()).isEqualTo("RAW.PLANS: last load 2m5s ago, beyond SLA 2m");
  }

  @Test
  void humanDurationsReadLikeTheSpec() {
    assertThat(FreshnessEvaluator.human(Duration.ofSeconds(59))).isEqualTo("59s");
    assertThat(FreshnessEvaluator.human(Duration.ofSeconds(120))).isEqualTo("2m");
    assertThat(FreshnessEvaluator.human(Duration.ofSeconds(125))).isEqualTo("2m5s");
    assertThat(FreshnessEvaluator.human(Duration.ofMinutes(90))).isEqualTo("1h30m");
  }

  /** A CDC watermark: newest change, proven complete as of, reported, in seconds before now. */
  private static Watermark quiet(
      String table, long eventAgeSeconds, long completeAgeSeconds, long reportedSecondsAgo) {
    return new Watermark(
        "analytics",
        "billing-db",
        table,
        NOW.minusSeconds(eventAgeSeconds),
        NOW.minusSeconds(reportedSecondsAgo),
        0,
        0,
        null,
        NOW.minusSeconds(completeAgeSeconds));
  }

  private static Watermark mark(String table, long lagSeconds, long loadedSecondsAgo) {
    return new Watermark(
        "analytics",
        "orders",
        table,
        NOW.minusSeconds(lagSeconds),
        NOW.minusSeconds(loadedSecondsAgo),
        100,
        0);
  }
}
