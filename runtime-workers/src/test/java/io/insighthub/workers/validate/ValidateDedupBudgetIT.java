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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Over its dedup memory budget the stage forgets the oldest ids instead of exhausting the heap, and
 * says so: with room for 10 ids, 30 events over three dedup windows leave the newest window's ids
 * held; a repeat of a recent event is dropped, a repeat of the first one passes, and the forgotten
 * ids are counted.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ValidateDedupBudgetIT {
  private static final String PREFIX = "dedup-budget";

  @Test
  void overItsBudgetTheStageForgetsTheOldestIdsAndCountsThem(KafkaBroker broker) throws Exception {
    WorkerConfig config =
        TestSchemas.config(
            broker.bootstrapServers(),
            PREFIX,
            SchemaDriftCheck.Policy.EVOLVE,
            ValidateGoldenIT.hmacKey());
    Topics.create(
        broker, 1, PREFIX + ".raw", PREFIX + ".validated", PREFIX + ".dlq", PREFIX + ".late");
    long window = Duration.ofMinutes(10).toMillis(); // TestSchemas' dedup window
    long start =
        Math.floorDiv(Instant.parse("2026-11-20T10:00:00Z").toEpochMilli(), window) * window;
    List<ProducerRecord<byte[], byte[]>> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      events.add(record("e" + i, start + i * window / 10));
    }
    Map<String, String> env =
        Map.of(
            StreamsSettings.STATE_DIR_ENV,
            TestDirs.fresh(PREFIX).resolve("state").toString(),
            ValidateStage.MAX_DEDUP_IDS_ENV,
            "10",
            "KAFKA_STREAMS_NUM_STREAM_THREADS",
            "1");
    try (Topics.Reader validated = Topics.reader(broker, PREFIX + ".validated");
        RunningStage stage = RunningStage.start(new ValidateStage(env), config)) {
      Topics.produce(broker, events);
      await().atMost(Duration.ofSeconds(90)).until(() -> validated.poll().size() == 30);
      // e29 is in the newest window, held; e0's window was forgotten.
      Topics.produce(broker, List.of(record("e29", start + 29 * window / 10), record("e0", start)));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  validated.poll().size() + stage.count(ValidateMetrics.DUPLICATES_DROPPED) == 32);
      assertThat(stage.count(ValidateMetrics.DUPLICATES_DROPPED)).isEqualTo(1);
      assertThat(validated.records().getLast().key()).asString().isEqualTo("e0");
      // The two older windows' 20 ids, then e0 again: its window is the oldest once more.
      assertThat(stage.count(ValidateMetrics.DEDUP_FORGOTTEN)).isEqualTo(21);
    }
  }

  private static ProducerRecord<byte[], byte[]> record(String id, long time) {
    return ValidateRestoreIT.pageView(PREFIX, id, time);
  }
}
