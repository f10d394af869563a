package io.insighthub.workers.validate;

import static java.nio.charset.StandardCharsets.UTF_8;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Over its dedup memory budget the stage spills the oldest ids to its local disk store and still
 * drops their repeats; over its disk budget it forgets the oldest instead of filling the disk, and
 * says so. With room for 10 ids in memory, 30 events over three dedup windows leave the newest
 * window's ids in memory and the two older windows' on disk; a restarted stage rebuilds them from
 * the dedup log and spills them again.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ValidateDedupBudgetIT {
  private static final long WINDOW = Duration.ofMinutes(10).toMillis(); // TestSchemas' window
  private static final long START =
      Math.floorDiv(Instant.parse("2026-11-20T10:00:00Z").toEpochMilli(), WINDOW) * WINDOW;

  @Test
  void overItsMemoryBudgetTheStageSpillsTheOldestIdsAndStillDropsTheirRepeats(KafkaBroker broker)
      throws Exception {
    String prefix = "dedup-spill";
    topics(broker, prefix);
    try (Topics.Reader validated = Topics.reader(broker, prefix + ".validated");
        RunningStage stage = start(broker, prefix, Map.of())) {
      Topics.produce(broker, thirtyEvents(prefix));
      await().atMost(Duration.ofSeconds(90)).until(() -> validated.poll().size() == 30);
      // e29 is in memory, e15 and e0 on disk: all three repeats are dropped.
      Topics.produce(broker, repeats(prefix));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> stage.count(ValidateMetrics.DUPLICATES_DROPPED) == 3);
      // A new event after the repeats: once it is out, anything they produced would be too.
      Topics.produce(broker, List.of(record(prefix, "later", START + 3 * WINDOW)));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> "later".equals(new String(validated.poll().getLast().key(), UTF_8)));
      // Exactly once: no repeat reached the output, every input is counted once.
      assertThat(validated.poll()).hasSize(31);
      assertThat(validated.records().getLast().key()).asString().isEqualTo("later");
      assertThat(stage.count(ValidateMetrics.RECORDS_IN)).isEqualTo(34);
      assertThat(stage.count(ValidateMetrics.DUPLICATES_DROPPED)).isEqualTo(3);
      // "later" opened a fourth window: the third went to disk too.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> gauge(stage, ValidateMetrics.DEDUP_SPILLED_IDS) == 30);
      assertThat(stage.count(ValidateMetrics.DEDUP_FORGOTTEN)).isZero();
      assertThat(gauge(stage, ValidateMetrics.DEDUP_IDS)).isEqualTo(1);
    }
  }

  @Test
  void aRestartedStageRebuildsItsSpilledIdsFromTheLogAndStillDropsTheirRepeats(KafkaBroker broker)
      throws Exception {
    String prefix = "dedup-respill";
    topics(broker, prefix);
    Path state = TestDirs.fresh(prefix).resolve("state");
    try (Topics.Reader validated = Topics.reader(broker, prefix + ".validated")) {
      try (RunningStage first = start(broker, prefix, state, Map.of())) {
        Topics.produce(broker, thirtyEvents(prefix));
        await().atMost(Duration.ofSeconds(90)).until(() -> validated.poll().size() == 30);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> gauge(first, ValidateMetrics.DEDUP_SPILLED_IDS) == 20);
      }
      // The same state directory, whose store the first process left behind: the second empties
      // it and rebuilds the ids from the dedup log, spilling what exceeds the budget again.
      try (RunningStage second = start(broker, prefix, state, Map.of())) {
        Topics.produce(
            broker,
            List.of(
                record(prefix, "e0", START),
                record(prefix, "e15", START + 15 * WINDOW / 10),
                record(prefix, "later", START + 3 * WINDOW)));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> "later".equals(new String(validated.poll().getLast().key(), UTF_8)));
        assertThat(validated.poll()).hasSize(31);
        assertThat(second.count(ValidateMetrics.RECORDS_IN)).isEqualTo(3);
        assertThat(second.count(ValidateMetrics.DUPLICATES_DROPPED)).isEqualTo(2);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> gauge(second, ValidateMetrics.DEDUP_SPILLED_IDS) == 30);
        assertThat(second.count(ValidateMetrics.DEDUP_FORGOTTEN)).isZero();
      }
    }
  }

  @Test
  void overItsDiskBudgetTheStageForgetsTheOldestSpilledIdsAndCountsThem(KafkaBroker broker)
      throws Exception {
    String prefix = "dedup-budget";
    topics(broker, prefix);
    try (Topics.Reader validated = Topics.reader(broker, prefix + ".validated");
        RunningStage stage =
            start(broker, prefix, Map.of(ValidateStage.MAX_SPILLED_DEDUP_IDS_ENV, "15"))) {
      Topics.produce(broker, thirtyEvents(prefix));
      await().atMost(Duration.ofSeconds(90)).until(() -> validated.poll().size() == 30);
      // Room on disk for one window: the first window's ids were forgotten to spill the second's.
      Topics.produce(broker, repeats(prefix));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  validated.poll().size() + stage.count(ValidateMetrics.DUPLICATES_DROPPED) == 33);
      assertThat(stage.count(ValidateMetrics.DUPLICATES_DROPPED)).isEqualTo(2);
      assertThat(validated.records().getLast().key()).asString().isEqualTo("e0");
      assertThat(stage.count(ValidateMetrics.DEDUP_FORGOTTEN)).isEqualTo(10);
    }
  }

  private static void topics(KafkaBroker broker, String prefix) {
    Topics.create(
        broker, 1, prefix + ".raw", prefix + ".validated", prefix + ".dlq", prefix + ".late");
  }

  private static RunningStage start(KafkaBroker broker, String prefix, Map<String, String> more)
      throws Exception {
    return start(broker, prefix, TestDirs.fresh(prefix).resolve("state"), more);
  }

  private static RunningStage start(
      KafkaBroker broker, String prefix, Path state, Map<String, String> more) throws Exception {
    WorkerConfig config =
        TestSchemas.config(
            broker.bootstrapServers(),
            prefix,
            SchemaDriftCheck.Policy.EVOLVE,
            ValidateGoldenIT.hmacKey());
    Map<String, String> env = new HashMap<>(more);
    env.put(StreamsSettings.STATE_DIR_ENV, state.toString());
    env.put(ValidateStage.MAX_DEDUP_IDS_ENV, "10");
    env.put("KAFKA_STREAMS_NUM_STREAM_THREADS", "1");
    return RunningStage.start(new ValidateStage(env), config);
  }

  /** e0-e29 over three dedup windows, ten per window. */
  private static List<ProducerRecord<byte[], byte[]>> thirtyEvents(String prefix) {
    List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      events.add(record(prefix, "e" + i, START + i * WINDOW / 10));
    }
    return events;
  }

  private static double gauge(RunningStage stage, String name) {
    return stage.metrics().get(name).gauge().value();
  }

  /** Repeats of the newest, a middle and the oldest of {@link #thirtyEvents}. */
  private static List<ProducerRecord<byte[], byte[]>> repeats(String prefix) {
    return List.of(
        record(prefix, "e29", START + 29 * WINDOW / 10),
        record(prefix, "e15", START + 15 * WINDOW / 10),
        record(prefix, "e0", START));
  }

  private static ProducerRecord<byte[], byte[]> record(String prefix, String id, long time) {
    return ValidateRestoreIT.pageView(prefix, id, time);
  }
}
