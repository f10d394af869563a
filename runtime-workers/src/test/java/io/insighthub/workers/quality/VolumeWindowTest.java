package io.insighthub.workers.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VolumeWindowTest {
  static final Instant HOUR = Instant.parse("2026-11-27T10:00:00Z");
  static final QualityCheck CHECK = QualityChecks.volume("volume", 100L, 1000L, "1h");

  @Test
  void belowMinFailsWithTheShortfallAsSampleCount() {
    QualityResult result = VolumeWindow.evaluate(CHECK, "VALIDATED.E", 40, HOUR);

    assertThat(result.passed()).isFalse();
    assertThat(result.violations()).isEqualTo(60);
    assertThat(result.message()).isEqualTo("40 rows in 1h < min 100 on VALIDATED.E");
  }

  @Test
  void aboveMaxFailsAndInsideTheRangePasses() {
    assertThat(VolumeWindow.evaluate(CHECK, "VALIDATED.E", 1001, HOUR).violations()).isEqualTo(1);
    assertThat(VolumeWindow.evaluate(CHECK, "VALIDATED.E", 1001, HOUR).passed()).isFalse();
    assertThat(VolumeWindow.evaluate(CHECK, "VALIDATED.E", 100, HOUR).passed()).isTrue();
    assertThat(VolumeWindow.evaluate(CHECK, "VALIDATED.E", 1000, HOUR).passed()).isTrue();
  }

  @Test
  void theIntervalStartedInIsPartialAndNotEvaluated() {
    VolumeWindow window =
        new VolumeWindow(CHECK, "VALIDATED.E", Duration.ofHours(1), HOUR.plusSeconds(600));
    window.add(5);

    assertThat(window.advance(HOUR.plusSeconds(3000))).isNull();
    assertThat(window.advance(HOUR.plusSeconds(3600))).isNull();
    window.add(150);
    window.add(50);
    QualityResult closed = window.advance(HOUR.plusSeconds(7201));

    assertThat(closed.rows()).isEqualTo(200);
    assertThat(closed.passed()).isTrue();
  }

  @Test
  void anIntervalWithoutRowsClosesOnTimeAndFails() {
    VolumeWindow window = new VolumeWindow(CHECK, "VALIDATED.E", Duration.ofHours(1), HOUR);

    QualityResult closed = window.advance(HOUR.plusSeconds(3600));

    assertThat(closed.rows()).isZero();
    assertThat(closed.passed()).isFalse();
    assertThat(window.advance(HOUR.plusSeconds(3700))).isNull();
  }
}
