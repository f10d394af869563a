package io.insighthub.workers.aggregate;

import static io.insighthub.workers.aggregate.AggregateFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.streams.StreamsSettings;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.Topics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bounded state and late events through the real stage: once the stream time has moved past a
 * window's end (or a session's end and gap) plus the grace, the window and the session are deleted
 * from the stores (tombstones in their changelogs), an event for them is counted as late and
 * changes no row, and the rows emitted before stay as they were.
 */
@ExtendWith(KafkaBrokerExtension.class)
class AggregateExpiryIT {
  private static final String P = "agg-expiry";

  @Test
  void closedWindowsAndSessionsLeaveTheStoresAndLateEventsAreCounted(KafkaBroker broker)
      throws Exception {
    WorkerConfig config = AggregateFixtures.config(broker.bootstrapServers(), P);
    String in = P + ".validated";
    String sessionsTopic = config.transformTopic("sessions");
    String usageTopic = config.transformTopic("account-usage");
    Topics.create(broker, 1, in, sessionsTopic, usageTopic);
    String app = StreamsSettings.applicationId(config, "aggregate");
    Map<String, String> sessions = new TreeMap<>();
    Map<String, String> usage = new TreeMap<>();
    try (RunningStage stage =
            RunningStage.start(new AggregateStage(AggregateGoldenIT.env()), config);
        Topics.Reader sessionReader = Topics.reader(broker, sessionsTopic);
        Topics.Reader usageReader = Topics.reader(broker, usageTopic)) {
      Topics.produce(
          broker,
          List.of(
              event(in, "x1", "2026-11-20T10:00:00Z", "a1", "u1", null, "page_view", "web"),
              event(in, "x2", "2026-11-20T10:10:00Z", "a1", "u2", null, "click", "web")));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                AggregateGoldenIT.merge(sessionReader.poll(), sessions);
                AggregateGoldenIT.merge(usageReader.poll(), usage);
                return sessions.size() == 2 && usage.size() == 2;
              });
      // Two days later: every window and session of the 20th is closed (end + grace passed).
      Topics.produce(
          broker,
          List.of(event(in, "x3", "2026-11-22T12:00:00Z", "a1", "u1", null, "page_view", "web")));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                AggregateGoldenIT.merge(usageReader.poll(), usage);
                return usage.size() == 4;
              });
      // Late beyond the grace: u1's old session and the 20th's windows would change.
      Topics.produce(
          broker,
          List.of(event(in, "x4", "2026-11-20T10:20:00Z", "a1", "u1", null, "api_call", "web")));
      try (Topics.Reader usageChangelog =
              Topics.reader(broker, app + "-" + AggregateProcessor.USAGE_STORE + "-changelog");
          Topics.Reader sessionsChangelog =
              Topics.reader(broker, app + "-" + AggregateProcessor.SESSIONS_STORE + "-changelog")) {
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  assertThat(stage.count(AggregateMetrics.RECORDS_IN)).isEqualTo(4);
                  assertThat(stage.count(AggregateMetrics.RECORDS_SKIPPED, "reason", "late"))
                      .isEqualTo(1);
                  assertThat(deletedWindows(usageChangelog.poll()))
                      .contains("hour 2026-11-20T10:00:00Z a1", "day 2026-11-20T00:00:00Z a1");
                  // u2 has nothing open any more; u1 has the session of the 22nd.
                  assertThat(deletedKeys(sessionsChangelog.poll())).containsExactly("a1|user:u2");
                });
      }
      // The late event must not show in any row, however long one waits.
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                AggregateGoldenIT.merge(sessionReader.poll(), sessions);
                AggregateGoldenIT.merge(usageReader.poll(), usage);
                assertRows(sessions, usage);
              });
    }
  }

  private static void assertRows(Map<String, String> sessions, Map<String, String> usage) {
    assertThat(sessions.values().stream().map(r -> field(r, "event_count")))
        .containsExactly(1L, 1L, 1L);
    Map<String, Long> events = new TreeMap<>();
    usage
        .values()
        .forEach(
            r ->
                events.put(
                    text(r, "granularity") + " " + text(r, "window_start"), field(r, "events")));
    assertThat(events)
        .containsExactly(
            Map.entry("day 2026-11-20T00:00:00Z", 2L),
            Map.entry("day 2026-11-22T00:00:00Z", 1L),
            Map.entry("hour 2026-11-20T10:00:00Z", 2L),
            Map.entry("hour 2026-11-22T12:00:00Z", 1L));
    assertThat(usage.values().stream().map(r -> field(r, "api_calls"))).containsOnly(0L);
  }

  /** Usage store keys deleted: granularity byte, window start (sign-flipped), account. */
  private static Set<String> deletedWindows(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> deleted = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.value() == null && r.key().length > 9) {
        ByteBuffer key = ByteBuffer.wrap(r.key());
        String granularity = key.get() == 'h' ? "hour" : "day";
        Instant start = Instant.ofEpochMilli(key.getLong() ^ Long.MIN_VALUE);
        deleted.add(
            granularity
                + " "
                + start
                + " "
                + new String(r.key(), 9, r.key().length - 9, StandardCharsets.UTF_8));
      }
    }
    return deleted;
  }

  private static Set<String> deletedKeys(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> deleted = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.value() == null) {
        deleted.add(new String(r.key(), StandardCharsets.UTF_8));
      }
    }
    return deleted;
  }

  private static long field(String row, String name) {
    return node(row).path(name).asLong();
  }

  private static String text(String row, String name) {
    return node(row).path(name).asText();
  }

  private static JsonNode node(String row) {
    try {
      return ConfigLoader.JSON.readTree(row);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
