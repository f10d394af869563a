package io.insighthub.workers.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NullSpikeTest {
  static final Instant AT = Instant.parse("2026-11-27T10:00:00Z");
  static final String TABLE = "VALIDATED.PRODUCT_EVENTS";

  @Test
  void aRatioAboveTheCeilingFailsWithTheNullsAsSampleCount() {
    QualityCheck check = QualityChecks.nullSpike("nulls", null, "account_id", 0.1, null);

    QualityResult result = NullSpike.evaluate(check, TABLE, 200, 62, null, AT);

    assertThat(result.passed()).isFalse();
    assertThat(result.rows()).isEqualTo(200);
    assertThat(result.violations()).isEqualTo(62);
    assertThat(result.observed()).isEqualTo(0.31);
    assertThat(result.threshold()).isEqualTo(0.1);
    assertThat(result.message())
        .isEqualTo("null ratio of account_id 0.31 > max 0.1 on VALIDATED.PRODUCT_EVENTS");
  }

  @Test
  void aRatioAtTheCeilingPasses() {
    QualityCheck check = QualityChecks.nullSpike("nulls", null, "account_id", 0.1, null);

    QualityResult result = NullSpike.evaluate(check, TABLE, 100, 10, null, AT);

    assertThat(result.passed()).isTrue();
    assertThat(result.violations()).isZero();
  }

  @Test
  void aRatioAboveTheFactorTimesTheBaselineFails() {
    QualityCheck check = QualityChecks.nullSpike("nulls", null, "account_id", null, 3.0);

    QualityResult failing = NullSpike.evaluate(check, TABLE, 100, 31, 0.02, AT);
    QualityResult passing = NullSpike.evaluate(check, TABLE, 100, 6, 0.02, AT);

    assertThat(failing.passed()).isFalse();
    assertThat(failing.threshold()).isCloseTo(0.06, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(failing.message())
        .isEqualTo("null ratio of account_id 0.31 > 3x baseline 0.02 on VALIDATED.PRODUCT_EVENTS");
    assertThat(passing.passed()).isTrue();
  }

  @Test
  void aFactorWithoutBaselineYetIsNotEvaluated() {
    QualityCheck check = QualityChecks.nullSpike("nulls", null, "account_id", null, 3.0);

    assertThat(NullSpike.evaluate(check, TABLE, 100, 90, null, AT)).isNull();
    assertThat(NullSpike.evaluate(check, TABLE, 0, 0, 0.1, AT)).isNull();
  }

  @Test
  void aZeroBaselineIsFlooredSoOneNullInAThousandPasses() {
    QualityCheck check = QualityChecks.nullSpike("nulls", null, "account_id", null, 3.0);

    assertThat(NullSpike.evaluate(check, TABLE, 1000, 1, 0.0, AT).passed()).isTrue();
    assertThat(NullSpike.evaluate(check, TABLE, 1000, 4, 0.0, AT).passed()).isFalse();
  }

  @Test
  void theBaselineIsTheRatioOverItsWindowOnly() {
    RollingBaseline baseline = new RollingBaseline(Duration.ofHours(1));
    baseline.add(100, 50, AT);
    baseline.add(100, 10, AT.plus(Duration.ofMinutes(50)));
    baseline.add(100, 0, AT.plus(Duration.ofMinutes(55)));

    assertThat(baseline.ratio(AT.plus(Duration.ofMinutes(56)))).isCloseTo(0.2, within());
    // Seventy minutes on, the first batch has left the window.
    assertThat(baseline.ratio(AT.plus(Duration.ofMinutes(70)))).isCloseTo(0.05, within());
    assertThat(baseline.ratio(AT.plus(Duration.ofHours(3)))).isNull();
  }

  @Test
  void theBaselineWindowTakesDaysAndHours() {
    assertThat(LoadQuality.baselineWindow("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(LoadQuality.baselineWindow("24h")).isEqualTo(Duration.ofHours(24));
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
