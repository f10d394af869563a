package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.streams.StreamsSettings;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.TestDirs;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The newest event time (for lateness) and the ids seen (for dedup) are rebuilt from the dedup
 * store's changelog: a stage started on an empty state directory, after another one processed the
 * first events, still sends a too-old event to the late topic and drops a repeated id.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ValidateRestoreIT {
  private static final String PREFIX = "restore";

  @Test
  void lateAndDuplicateDecisionsSurviveALostStateDirectory(KafkaBroker broker) throws Exception {
    WorkerConfig config =
        TestSchemas.config(
            broker.bootstrapServers(),
            PREFIX,
            SchemaDriftCheck.Policy.EVOLVE,
            ValidateGoldenIT.hmacKey());
    Topics.create(
        broker, 1, PREFIX + ".raw", PREFIX + ".validated", PREFIX + ".dlq", PREFIX + ".late");
    long t0 = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    long hour = 3_600_000;

    try (Topics.Reader validated = Topics.reader(broker, PREFIX + ".validated");
        Topics.Reader late = Topics.reader(broker, PREFIX + ".late")) {
      // First run: a, then b two hours later (the newest event time).
      try (RunningStage stage = RunningStage.start(new ValidateStage(env("first")), config)) {
        Topics.produce(broker, List.of(record("a", t0), record("b", t0 + 2 * hour)));
        await().atMost(Duration.ofSeconds(90)).until(() -> validated.poll().size() == 2);
      }
      // Second run, nothing on disk: c is 1.5 h older than b (allowed lateness 1 h), b repeats,
      // d is new and recent.
      try (RunningStage stage = RunningStage.start(new ValidateStage(env("second")), config)) {
        Topics.produce(
            broker,
            List.of(
                record("c", t0 + hour / 2),
                record("b", t0 + 2 * hour),
                record("d", t0 + 2 * hour - 60_000)));
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    // Each of the 3 inputs has landed somewhere (2 validated by the first run).
                    validated.poll().size()
                            + late.poll().size()
                            + stage.count(ValidateMetrics.DUPLICATES_DROPPED)
                        >= 2 + 3);
        assertThat(stage.count(ValidateMetrics.DUPLICATES_DROPPED)).isEqualTo(1);
        // Held: b (restored) and d; a is out of every lookup's reach (older than b by more than
        // the lateness plus the window), so the restore left it out.
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> stage.metrics().get(ValidateMetrics.DEDUP_IDS).gauge().value() == 2);
      }
      assertThat(
              validated.records().stream()
                  .map(r -> new String(r.key(), StandardCharsets.UTF_8))
                  .toList())
          .containsExactly("a", "b", "d");
      assertThat(new String(late.records().get(0).key(), StandardCharsets.UTF_8)).isEqualTo("c");
    }
  }

  private static Map<String, String> env(String run) {
    Path state = TestDirs.fresh(PREFIX + "-" + run).resolve("state");
    return Map.of(StreamsSettings.STATE_DIR_ENV, state.toAbsolutePath().toString());
  }

  private static ProducerRecord<byte[], byte[]> record(String id, long time) {
    return pageView(PREFIX, id, time);
  }

  /** A minimal page view on {@code <prefix>.raw}, keyed by its event id. */
  static ProducerRecord<byte[], byte[]> pageView(String prefix, String id, long time) {
    String event =
        "{\"event_id\":\""
            + id
            + "\",\"occurred_at\":"
            + time
            + ",\"event_type\":\"page_view\",\"account_id\":\"acct-1\"}";
    return new ProducerRecord<>(
        prefix + ".raw",
        id.getBytes(StandardCharsets.UTF_8),
        event.getBytes(StandardCharsets.UTF_8));
  }
}
