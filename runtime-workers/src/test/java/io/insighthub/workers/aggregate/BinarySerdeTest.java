package io.insighthub.workers.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The internal records survive a round trip, nulls and unicode included. */
class BinarySerdeTest {
  private static <T> T roundTrip(Serde<T> serde, T value) {
    return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
  }

  @Test
  void recordsRoundTrip() {
    UsageEvent event = new UsageEvent(1_795_000_000_123L, "acct-1", "ü👋", "user:ü👋", null, "ios");
    assertThat(roundTrip(BinarySerde.usageEvent(), event)).isEqualTo(event);
    assertThat(roundTrip(BinarySerde.sessionState(), SessionState.EMPTY))
        .isEqualTo(SessionState.EMPTY);
    SessionState session = SessionState.EMPTY.add(event, "page_view");
    assertThat(roundTrip(BinarySerde.sessionState(), session)).isEqualTo(session);
    UserSessions user =
        new UserSessions(
            new ArrayList<>(
                List.of(
                    new UserSessions.Session(session, 7),
                    new UserSessions.Session(SessionState.EMPTY.add(event, "click"), 3))),
            new ArrayList<>(
                List.of(new UserSessions.Tombstone(-5L, 2), new UserSessions.Tombstone(1_795L, 5))),
            new ArrayList<>(List.of(1_794_999_600_000L, 1_794_960_000_001L)));
    UserSessions userBack = roundTrip(BinarySerde.userSessions(), user);
    assertThat(userBack).isEqualTo(user);
    assertThat(List.of(userBack.pending(6), userBack.pending(7))).containsExactly(true, false);
    assertThat(roundTrip(BinarySerde.userSessions(), UserSessions.empty()).pending(0)).isFalse();
    UsageState usage =
        UsageState.empty()
            .add(event, "api_call", true, 1, 4)
            .add(
                new UsageEvent(1, "acct-1", "u2", "user:u2", "api_call", null),
                "api_call",
                true,
                0,
                5);
    UsageState back = roundTrip(BinarySerde.usageState(), usage);
    assertThat(back).isEqualTo(usage);
    assertThat(back.eventsByType()).isInstanceOf(TreeMap.class).containsEntry("unknown", 1L);
    assertThat(List.of(back.events(), back.activeUsers(), back.apiCalls(), back.sessions()))
        .containsExactly(2L, 2L, 1L, 1L);
    assertThat(roundTrip(BinarySerde.usageState(), back.withSessions(-1, 6)))
        .extracting(UsageState::sessions, UsageState::changed)
        .containsExactly(0L, 6L);
    assertThat(BinarySerde.usageEvent().serializer().serialize("t", null)).isNull();
    assertThat(BinarySerde.usageEvent().deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void aValueInAnotherFormatFailsLoudly() {
    assertThatThrownBy(
            () ->
                BinarySerde.sessionState()
                    .deserializer()
                    .deserialize("changelog", "{\"account\":\"a\"}".getBytes()))
        .hasMessageContaining("unknown format");
  }
}
