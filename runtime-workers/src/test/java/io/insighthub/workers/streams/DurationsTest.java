package io.insighthub.workers.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Duration strings of the CRDs, and the environment overrides of Kafka Streams settings. */
class DurationsTest {
  @Test
  void parsesEveryUnitAndCombinations() {
    assertThat(Durations.parse("500ms", "f")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s", "f")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("10m", "f")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Durations.parse("1h30m", "f")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1.5h", "f")).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void rejectionNamesTheField() {
    assertThatThrownBy(() -> Durations.parse("ten minutes", "config.events.dedupWindow"))
        .hasMessageContaining("config.events.dedupWindow")
        .hasMessageContaining("'ten minutes'");
  }

  @Test
  void kafkaStreamsEnvironmentVariablesBecomeProperties() {
    assertThat(
            StreamsSettings.overrides(
                Map.of("KAFKA_STREAMS_SESSION_TIMEOUT_MS", "6000", "HOME", "/root")))
        .containsExactlyEntriesOf(Map.of("session.timeout.ms", "6000"));
  }
}
