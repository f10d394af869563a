package io.insighthub.workers.aggregate;

import static io.insighthub.workers.aggregate.AggregateFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.streams.StreamsSettings;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fixed validated stream, with late events that extend and merge sessions, through the real
 * aggregate stage: the sessions and account-usage tables, read as the loader's MERGE would (last
 * row per key, tombstones delete), must equal {@code aggregate/golden-expected.txt}. Run with
 * {@code -Dinsighthub.updateGolden=true} to rewrite it, then review.
 */
@ExtendWith(KafkaBrokerExtension.class)
class AggregateGoldenIT {
  private static final Path GOLDEN =
      Path.of("src", "test", "resources", "aggregate", "golden-expected.txt");
  private static final String P = "agg-golden";

  @Test
  void fixedStreamProducesTheGoldenSessionsAndUsage(KafkaBroker broker) throws Exception {
    WorkerConfig config = AggregateFixtures.config(broker.bootstrapServers(), P);
    String in = P + ".validated";
    Topics.create(
        broker, 1, in, config.transformTopic("sessions"), config.transformTopic("account-usage"));
    String day = "2026-11-20T";
    List<ProducerRecord<byte[], byte[]>> events =
        List.of(
            event(in, "e01", day + "10:00:00Z", "a1", "u1", "d1", "page_view", "web"),
            event(in, "e02", day + "10:05:00Z", "a1", "u1", "d1", "click", "web"),
            event(in, "e03", day + "10:20:00Z", "a1", "u1", "d1", "page_view", "web"),
            event(in, "e04", day + "10:10:00Z", "a1", "u2", null, "page_view", "ios"),
            event(in, "e05", day + "10:15:00Z", "a1", null, "d9", "page_view", "android"),
            event(in, "e06", day + "10:40:00Z", "a2", "u3", null, "api_call", null),
            event(in, "e07", day + "10:41:00Z", "a2", "u3", null, "api_call", null),
            event(in, "e08", day + "10:50:00Z", "a1", null, null, "api_call", null),
            event(in, "e09", day + "11:10:00Z", "a1", "u1", "d1", "page_view", "web"),
            // Late, within the grace: u2's session grows; u1's two sessions become one.
            event(in, "e10", day + "10:35:00Z", "a1", "u2", null, "page_view", "ios"),
            event(in, "e11", day + "10:45:00Z", "a1", "u1", "d1", "page_view", "web"),
            event(in, "e12", "2026-11-21T00:10:00Z", "a1", "u1", "d1", "page_view", "web"));
    Topics.produce(broker, events);

    Map<String, String> sessions = new TreeMap<>();
    Map<String, String> usage = new TreeMap<>();
    boolean update = Boolean.getBoolean("insighthub.updateGolden");
    String expected = update ? "" : Files.readString(GOLDEN);
    try (RunningStage stage = RunningStage.start(new AggregateStage(env()), config);
        Topics.Reader sessionReader = Topics.reader(broker, config.transformTopic("sessions"));
        Topics.Reader usageReader = Topics.reader(broker, config.transformTopic("account-usage"))) {
      // Corrections travel through several repartitions; wait until the tables settle on the
      // golden state (or, when rewriting it, until they stop changing).
      await()
          .atMost(Duration.ofSeconds(90))
          .during(update ? Duration.ofSeconds(5) : Duration.ZERO)
          .until(
              () -> {
                merge(sessionReader.poll(), sessions);
                merge(usageReader.poll(), usage);
                return update
                    ? sessions.size() == 5 && usage.size() == 7
                    : render(sessions, usage).equals(expected);
              });
      assertThat(stage.count(AggregateMetrics.RECORDS_IN)).isEqualTo(events.size());
    }
    String actual = render(sessions, usage);
    if (update) {
      Files.writeString(GOLDEN, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(GOLDEN));
  }

  private static String render(Map<String, String> sessions, Map<String, String> usage) {
    StringBuilder text = new StringBuilder("# sessions, by session id (last version)\n");
    sessions.values().stream().sorted().forEach(v -> text.append(v).append('\n'));
    text.append("# account usage, by account|granularity|window start (last version)\n");
    usage.forEach((k, v) -> text.append(k).append(" ").append(v).append('\n'));
    return text.toString();
  }

  /** Applies records as the loader's MERGE does: the last value per key, a tombstone deletes. */
  static void merge(List<ConsumerRecord<byte[], byte[]>> records, Map<String, String> table) {
    table.clear();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      if (r.value() == null) {
        table.remove(key);
      } else {
        table.put(key, new String(r.value(), StandardCharsets.UTF_8));
      }
    }
  }

  /**
   * A state directory of its own per run: the broker is new each run, and local state left by an
   * earlier run (with its checkpoints) would be trusted and counted twice.
   */
  static Map<String, String> env() {
    return Map.of(
        StreamsSettings.STATE_DIR_ENV,
        Path.of("target", "streams-state", java.util.UUID.randomUUID().toString())
            .toAbsolutePath()
            .toString());
  }
}
