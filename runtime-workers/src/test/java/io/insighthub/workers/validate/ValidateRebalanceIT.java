package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.WorkerProcess;
import io.insighthub.workers.streams.StreamsSettings;
import io.insighthub.workers.testing.TestDirs;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Partitions change hands between validate processes while events (with repeated ids) keep coming:
 * a second process joins, then it is SIGKILLed mid-transaction and replaced by a process on a new
 * state directory (new transactional ids, so the killed one's open transaction is only aborted by
 * its timeout). Each new owner rebuilds its partitions' dedup state from the dedup log: in the end
 * every valid event is in the validated topic exactly once, every repeat of an event handled by the
 * killed process is dropped, and every bad event is in the DLQ once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ValidateRebalanceIT {
  private static final String PREFIX = "rebalance-validate";
  private static final int PARTITIONS = 4;
  private static final int CHUNK_SIZE = 1_500;

  private final List<WorkerProcess> workers = new ArrayList<>();
  private final Random random = new Random(11);
  private final Set<String> expectedIds = new HashSet<>();
  private final List<String> sent = new ArrayList<>();
  private long expectedCents;
  private int expectedDlq;
  private int duplicatesSent;
  private long time = java.time.Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();

  @AfterEach
  void stopWorkers() {
    workers.forEach(WorkerProcess::kill);
  }

  @Test
  void partitionsMovingBetweenProcessesLoseAndDuplicateNothing(KafkaBroker broker)
      throws Exception {
    Topics.create(
        broker,
        PARTITIONS,
        PREFIX + ".raw",
        PREFIX + ".validated",
        PREFIX + ".dlq",
        PREFIX + ".late");
    Path dir = TestDirs.fresh(PREFIX);
    WorkerConfig config =
        TestSchemas.config(
            broker.bootstrapServers(),
            PREFIX,
            SchemaDriftCheck.Policy.EVOLVE,
            ValidateGoldenIT.hmacKey());
    Path configFile =
        Files.writeString(dir.resolve("config.json"), ConfigLoader.JSON.writeValueAsString(config));

    try (Topics.Reader validated = Topics.reader(broker, PREFIX + ".validated");
        Topics.Reader dlq = Topics.reader(broker, PREFIX + ".dlq");
        Topics.Reader late = Topics.reader(broker, PREFIX + ".late")) {
      String group = StreamsSettings.applicationId(config, "validate");
      start(configFile, dir, "a");
      awaitMembersWithPartitions(broker, group, 1);
      produceAndAwaitSome(broker, validated, 0);

      WorkerProcess b = start(configFile, dir, "b");
      awaitMembersWithPartitions(broker, group, 2);
      produceAndAwaitSome(broker, validated, 1);
      // b has committed its share of chunk 1 (outputs, dedup log, offsets) ...
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> validated.poll().size() >= expectedIds.size());
      // ... and is killed as soon as chunk 2 starts showing up: mid-transaction.
      produceAndAwaitSome(broker, validated, 2);
      b.kill();
      assertThat(b.isAlive()).isFalse();
      // A replacement on a fresh state directory: nothing of b's is left on disk.
      start(configFile, dir, "b-replacement");
      awaitMembersWithPartitions(broker, group, 2);
      produceAndAwaitSome(broker, validated, 3);
      produceAndAwaitSome(broker, validated, 4);

      ValidateCrashIT.awaitExactly(validated, dlq, expectedIds.size(), expectedDlq);
      for (WorkerProcess worker : workers) {
        if (worker.isAlive()) {
          assertThat(worker.stop(Duration.ofSeconds(30))).as("exit code").isIn(0, 143);
        }
      }

      assertThat(duplicatesSent).isGreaterThan(100);
      assertThat(late.poll()).isEmpty();
      ValidateCrashIT.assertExactlyOnce(validated, dlq, expectedIds, expectedCents, expectedDlq);
    }
  }

  /** Waits until the group has exactly {@code members} members, each owning a raw partition. */
  private static void awaitMembersWithPartitions(KafkaBroker broker, String group, int members) {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions() // the group does not exist until its first member joins
          .until(
              () -> {
                ConsumerGroupDescription description =
                    admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                return description.members().size() == members
                    && description.members().stream()
                        .allMatch(m -> !m.assignment().topicPartitions().isEmpty());
              });
    }
  }

  private WorkerProcess start(Path configFile, Path dir, String name) {
    Map<String, String> env =
        Map.of(
            StreamsSettings.STATE_DIR_ENV,
            dir.resolve("state-" + name).toString(),
            "KAFKA_STREAMS_NUM_STREAM_THREADS",
            "1",
            // A killed member leaves the group after this timeout; the others take over.
            "KAFKA_STREAMS_SESSION_TIMEOUT_MS",
            "6000");
    WorkerProcess worker =
        WorkerProcess.start("validate", configFile, dir.resolve("worker-" + name + ".log"), env);
    workers.add(worker);
    return worker;
  }

  /**
   * One chunk of events, one in ~20 bad and one in ~8 a repeat of one of the last 2,000 valid ones
   * (within the 10 minute dedup window: events are 200 ms apart), so repeats reach back into the
   * chunks other processes handled; then waits for it to start showing up.
   */
  private void produceAndAwaitSome(KafkaBroker broker, Topics.Reader validated, int chunk)
      throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < CHUNK_SIZE; i++) {
      String id = "r" + chunk + "-" + i;
      time += 200;
      String value;
      if (random.nextInt(20) == 0) {
        value = ValidateCrashIT.event(id, time, "\"count\":\"bad\"", 0);
        expectedDlq++;
      } else if (random.nextInt(8) == 0 && !sent.isEmpty()) {
        value = sent.get(random.nextInt(Math.max(0, sent.size() - 2_000), sent.size()));
        duplicatesSent++;
      } else {
        int cents = 1 + random.nextInt(10_000);
        value = ValidateCrashIT.event(id, time, "", cents);
        expectedIds.add(id);
        expectedCents += cents;
        sent.add(value);
      }
      records.add(
          new ProducerRecord<>(
              PREFIX + ".raw",
              ValidateCrashIT.keyOf(value),
              value.getBytes(StandardCharsets.UTF_8)));
    }
    int before = validated.poll().size();
    Topics.produce(broker, records);
    await().atMost(Duration.ofSeconds(120)).until(() -> validated.poll().size() > before);
  }
}
