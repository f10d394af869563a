package io.insighthub.operator.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesTheSpecsDurationsIncludingCompoundOnes() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void rejectsWhatTheCrdPatternRejects() {
    assertThatThrownBy(() -> Durations.parse("7d")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Durations.parse("1h x")).isInstanceOf(IllegalArgumentException.class);
  }
}
