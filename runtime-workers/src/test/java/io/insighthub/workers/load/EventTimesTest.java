package io.insighthub.workers.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventTimesTest {
  @Test
  void theFastPathAgreesWithTheJdkParserOnRandomTimes() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 50_000; i++) {
      Instant at =
          Instant.ofEpochSecond(
              random.nextLong(-2_000_000_000L, 4_000_000_000L), random.nextInt(1_000_000_000));
      ZoneOffset offset = ZoneOffset.ofTotalSeconds(random.nextInt(-18 * 4, 18 * 4 + 1) * 900);
      String text = OffsetDateTime.ofInstant(at, offset).toString();
      assertThat(EventTimes.fast(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
    }
  }

  @Test
  void commonShapesAreReadWithoutTheJdkParser() {
    assertThat(EventTimes.fast("2026-11-20T10:00:00Z"))
        .isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(EventTimes.fast("2026-11-20T10:00:00.5Z"))
        .isEqualTo(Instant.parse("2026-11-20T10:00:00.500Z"));
    assertThat(EventTimes.fast("2026-11-20T10:00:00.123456789+02:00"))
        .isEqualTo(Instant.parse("2026-11-20T08:00:00.123456789Z"));
    assertThat(EventTimes.fast("2024-02-29T23:59:59-05:30"))
        .isEqualTo(Instant.parse("2024-03-01T05:29:59Z"));
  }

  @Test
  void otherShapesGoToTheJdkParserWhichDecides() {
    for (String odd :
        new String[] {
          "2026-11-20t10:00:00z",
          "2026-11-20T10:00Z",
          "2026-02-30T10:00:00Z",
          "2025-02-29T10:00:00Z",
          "2026-11-20T24:00:00Z",
          "2026-11-20Tx1:00:00Z",
          "2026-11-20T10:00:00.Z",
          "2026-11-20T10:00:00.1234567891Z",
          "2026-11-20T10:00:00+0200",
          "2026-11-20T10:00:00",
          "+12026-11-20T10:00:00Z"
        }) {
      assertThat(EventTimes.fast(odd)).as(odd).isNull();
    }
    assertThat(EventTimes.parse("2026-11-20T10:00Z"))
        .isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
    assertThatThrownBy(() -> EventTimes.parse("2026-02-30T10:00:00Z"))
        .isInstanceOf(DateTimeParseException.class);
  }
}
