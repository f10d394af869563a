package io.insighthub.workers.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.TreeMap;
import java.util.TreeSet;
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
    AggregateTopology.SessionStart start = new AggregateTopology.SessionStart("a", -5);
    assertThat(roundTrip(BinarySerde.sessionStart(), start)).isEqualTo(start);
    UsageState usage =
        UsageState.empty()
            .add(event, "api_call")
            .add(new UsageEvent(1, "acct-1", "u2", "user:u2", "api_call", null), "api_call");
    UsageState back = roundTrip(BinarySerde.usageState(), usage);
    assertThat(back).isEqualTo(usage);
    assertThat(back.eventsByType()).isInstanceOf(TreeMap.class);
    assertThat(back.users()).isInstanceOf(TreeSet.class);
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
