package io.insighthub.operator.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.insighthub.crds.CrdConstants;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceRecheckTest {
  static final Instant NOW = Instant.parse("2026-11-27T04:00:00Z");

  @Test
  void looksAgainSoonThenAsLongAsTheProblemLastedUpToThirtySeconds() {
    assertThat(ReferenceRecheck.after(List.of(), "SecretNotFound", NOW))
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(ReferenceRecheck.after(missingSince(1), "SecretNotFound", NOW))
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(ReferenceRecheck.after(missingSince(8), "SecretNotFound", NOW))
        .isEqualTo(Duration.ofSeconds(8));
    assertThat(ReferenceRecheck.after(missingSince(600), "SecretNotFound", NOW))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(ReferenceRecheck.after(missingSince(600), "KafkaClusterNotFound", NOW))
        .as("another problem starts over")
        .isEqualTo(Duration.ofSeconds(2));
  }

  static List<Condition> missingSince(long secondsAgo) {
    Condition ready =
        Conditions.failed(CrdConstants.CONDITION_READY, "SecretNotFound", "Secret x is missing");
    ready.setLastTransitionTime(NOW.minusSeconds(secondsAgo).toString());
    return List.of(ready);
  }
}
