package io.insighthub.workers.validate;

import static io.insighthub.workers.validate.ValidateGoldenIT.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The validate worker, as its own process, is SIGKILLed several times while it works and started
 * again; in the end every valid event is in the validated topic exactly once (ids and the sum of
 * amounts match), every bad one is in the DLQ exactly once, and no duplicate slips through.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ValidateCrashIT {
  private static final String PREFIX = "crash-validate";
  private static final int CHUNKS = 4;
  private static final int CHUNK_SIZE = 1_500;

  private WorkerProcess worker;

  @AfterEach
  void stopWorker() {
    if (worker != null) {
      worker.kill();
    }
  }

  @Test
  void killedWorkerLosesAndDuplicatesNothing(KafkaBroker broker) throws Exception {
    Topics.create(
        broker, 2, PREFIX + ".raw", PREFIX + ".validated", PREFIX + ".dlq", PREFIX + ".late");
    Path dir = TestDirs.fresh(PREFIX);
    WorkerConfig config =
        TestSchemas.config(
            broker.bootstrapServers(),
            PREFIX,
            SchemaDriftCheck.Policy.EVOLVE,
            ValidateGoldenIT.hmacKey());
    Path configFile =
        Files.writeString(dir.resolve("config.json"), ConfigLoader.JSON.writeValueAsString(config));
    Map<String, String> env =
        Map.of(
            StreamsSettings.STATE_DIR_ENV,
            dir.resolve("state").toString(),
            // The killed member leaves the group after this timeout; the new one takes over.
            "KAFKA_STREAMS_SESSION_TIMEOUT_MS",
            "6000");

    Random random = new Random(7);
    Set<String> expectedIds = new HashSet<>();
    long expectedCents = 0;
    int expectedDlq = 0;
    long time = java.time.Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
    List<String> sent = new ArrayList<>();

    try (Topics.Reader validated = Topics.reader(broker, PREFIX + ".validated");
        Topics.Reader dlq = Topics.reader(broker, PREFIX + ".dlq")) {
      WorkerProcess worker =
          WorkerProcess.start("validate", configFile, dir.resolve("worker.log"), env);
      for (int chunk = 0; chunk < CHUNKS; chunk++) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < CHUNK_SIZE; i++) {
          String id = "c" + chunk + "-" + i;
          time += 500;
          String value;
          if (random.nextInt(20) == 0) {
            value = event(id, time, "\"count\":\"bad\"", 0);
            expectedDlq++;
          } else if (random.nextInt(10) == 0 && !sent.isEmpty()) {
            value = sent.get(random.nextInt(Math.max(0, sent.size() - 50), sent.size()));
            id = null;
          } else {
            int cents = 1 + random.nextInt(10_000);
            value = event(id, time, "", cents);
            expectedIds.add(id);
            expectedCents += cents;
            sent.add(value);
          }
          records.add(
              new ProducerRecord<>(
                  PREFIX + ".raw", keyOf(value), value.getBytes(StandardCharsets.UTF_8)));
        }
        int before = validated.poll().size();
        Topics.produce(broker, records);
        // Kill as soon as this chunk starts showing up: mid-run, with a transaction in flight.
        await().atMost(Duration.ofSeconds(120)).until(() -> validated.poll().size() > before);
        worker.kill();
        assertThat(worker.isAlive()).isFalse();
        worker = WorkerProcess.start("validate", configFile, dir.resolve("worker.log"), env);
      }
      try {
        awaitExactly(validated, dlq, expectedIds.size(), expectedDlq);
      } finally {
        // 143: the JVM's own exit status after SIGTERM, once the shutdown hook stopped the stage.
        assertThat(worker.stop(Duration.ofSeconds(30))).as("exit code after SIGTERM").isIn(0, 143);
      }

      assertExactlyOnce(validated, dlq, expectedIds, expectedCents, expectedDlq);
    }
  }

  /** Waits until the topics hold {@code ids} and {@code dlqRecords} records and stay so for 3 s. */
  static void awaitExactly(Topics.Reader validated, Topics.Reader dlq, int ids, int dlqRecords) {
    await()
        .atMost(Duration.ofMinutes(3))
        .until(() -> validated.poll().size() >= ids && dlq.poll().size() >= dlqRecords);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(20))
        .until(() -> validated.poll().size() == ids && dlq.poll().size() == dlqRecords);
  }

  /**
   * Every expected id in the validated topic once, their amounts summing to {@code cents}, and
   * {@code dlqRecords} DLQ records from as many distinct source positions.
   */
  static void assertExactlyOnce(
      Topics.Reader validated,
      Topics.Reader dlq,
      Set<String> expectedIds,
      long expectedCents,
      int dlqRecords)
      throws Exception {
    List<String> ids = new ArrayList<>();
    long cents = 0;
    for (ConsumerRecord<byte[], byte[]> r : validated.records()) {
      JsonNode event = ConfigLoader.JSON.readTree(r.value());
      ids.add(event.get("event_id").asText());
      cents += Math.round(event.get("amount").asDouble() * 100);
    }
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(new HashSet<>(ids)).isEqualTo(expectedIds);
    assertThat(cents).isEqualTo(expectedCents);
    Set<String> dlqSources = new HashSet<>();
    dlq.records()
        .forEach(
            r ->
                dlqSources.add(
                    header(r, OutputHeaders.SOURCE_PARTITION)
                        + "@"
                        + header(r, OutputHeaders.SOURCE_OFFSET)));
    assertThat(dlqSources).hasSize(dlqRecords);
  }

  /** The event id of an event {@link #event} wrote, as its record key. */
  static byte[] keyOf(String value) {
    int start = value.indexOf("\"event_id\":\"") + 12;
    return value.substring(start, value.indexOf('"', start)).getBytes(StandardCharsets.UTF_8);
  }

  /** A page view with an amount of {@code cents}, plus {@code extra} members if any. */
  static String event(String id, long time, String extra, int cents) {
    return "{\"event_id\":\""
        + id
        + "\",\"occurred_at\":"
        + time
        + ",\"event_type\":\"page_view\",\"account_id\":\"acct-1\",\"amount\":"
        + (cents / 100)
        + "."
        + String.format("%02d", cents % 100)
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }
}
