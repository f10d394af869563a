package io.insighthub.workers.aggregate;

import static io.insighthub.workers.aggregate.AggregateFixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.WorkerProcess;
import io.insighthub.workers.streams.StreamsSettings;
import io.insighthub.workers.testing.TestDirs;
import io.insighthub.workers.testing.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The aggregate worker, as its own process, is SIGKILLed several times mid-run and restarted; the
 * final tables count every event exactly once: the usage rows (last row per key) per hour and per
 * day, their API calls, and the events of all sessions together.
 */
@ExtendWith(KafkaBrokerExtension.class)
class AggregateCrashIT {
  private static final String P = "crash-aggregate";
  private static final int CHUNKS = 4;
  private static final int CHUNK_SIZE = 1_000;

  private WorkerProcess worker;

  @AfterEach
  void stopWorker() {
    if (worker != null) {
      worker.kill();
    }
  }

  @Test
  void killedWorkerCountsEveryEventOnce(KafkaBroker broker) throws Exception {
    WorkerConfig config = AggregateFixtures.config(broker.bootstrapServers(), P);
    String in = P + ".validated";
    String sessionsTopic = config.transformTopic("sessions");
    String usageTopic = config.transformTopic("account-usage");
    Topics.create(broker, 2, in, sessionsTopic, usageTopic);
    Path dir = TestDirs.fresh(P);
    Path configFile =
        Files.writeString(dir.resolve("config.json"), ConfigLoader.JSON.writeValueAsString(config));
    Map<String, String> env =
        Map.of(
            StreamsSettings.STATE_DIR_ENV,
            dir.resolve("state").toString(),
            // The killed member leaves the group after this timeout; the new one takes over.
            "KAFKA_STREAMS_SESSION_TIMEOUT_MS",
            "6000");

    Random random = new Random(11);
    // Recent event times: the session store's changelog keeps windows for the gap, the grace and
    // one more day by record time, so week-old events would be trimmed from it by the broker and
    // a restarted worker could not restore them.
    long time =
        Instant.now().minus(Duration.ofHours(4)).truncatedTo(ChronoUnit.HOURS).toEpochMilli();
    long apiCalls = 0;
    Map<String, String> sessions = new HashMap<>();
    Map<String, String> usage = new HashMap<>();
    int total = CHUNKS * CHUNK_SIZE;

    try (Topics.Reader sessionReader = Topics.reader(broker, sessionsTopic);
        Topics.Reader usageReader = Topics.reader(broker, usageTopic)) {
      worker = WorkerProcess.start("aggregate", configFile, dir.resolve("worker.log"), env);
      for (int chunk = 0; chunk < CHUNKS; chunk++) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < CHUNK_SIZE; i++) {
          // Event time moves ~2 s per event: the ~35 minutes a chunk spans stay within the grace
          // even when one partition is processed a whole poll ahead of the other.
          time += 1_000 + random.nextInt(2_000);
          // Users rotate by chunk, so a user returning two chunks later starts a new session.
          String user = "u" + ((chunk % 2) * 10 + random.nextInt(10));
          String account = "a" + (user.hashCode() & 3);
          String type = random.nextInt(3) == 0 ? "api_call" : "page_view";
          if (type.equals("api_call")) {
            apiCalls++;
          }
          records.add(
              event(
                  in,
                  "c" + chunk + "-" + i,
                  Instant.ofEpochMilli(time).toString(),
                  account,
                  user,
                  null,
                  type,
                  "web"));
        }
        long sentBefore = (long) chunk * CHUNK_SIZE;
        Topics.produce(broker, records);
        // Kill once the worker has counted part of this chunk: mid-run, transactions in flight.
        WorkerProcess running = worker;
        await()
            .atMost(Duration.ofSeconds(120))
            .failFast("the worker died", () -> !running.isAlive())
            .until(
                () -> {
                  AggregateGoldenIT.merge(usageReader.poll(), usage);
                  return sum(usage, "events", "hour") > sentBefore;
                });
        worker.kill();
        worker = WorkerProcess.start("aggregate", configFile, dir.resolve("worker.log"), env);
      }
      await()
          .atMost(Duration.ofMinutes(3))
          .untilAsserted(
              () -> {
                AggregateGoldenIT.merge(sessionReader.poll(), sessions);
                AggregateGoldenIT.merge(usageReader.poll(), usage);
                assertThat(List.of(sum(usage, "events", "hour"), sum(usage, "events", "day")))
                    .as("hourly and daily events")
                    .containsExactly((long) total, (long) total);
              });
      // 143: the JVM's own exit status after SIGTERM, once the shutdown hook stopped the stage.
      assertThat(worker.stop(Duration.ofSeconds(30))).isIn(0, 143);
      worker = null;
      AggregateGoldenIT.merge(sessionReader.poll(), sessions);
      AggregateGoldenIT.merge(usageReader.poll(), usage);
    }
    assertThat(sum(sessions, "event_count")).as("events in sessions").isEqualTo(total);
    for (String granularity : List.of("hour", "day")) {
      assertThat(sum(usage, "events", granularity)).as(granularity).isEqualTo(total);
      assertThat(sum(usage, "api_calls", granularity)).as(granularity).isEqualTo(apiCalls);
    }
  }

  private static long sum(Map<String, String> table, String field) {
    return sum(table, field, null);
  }

  private static long sum(Map<String, String> table, String field, String granularity) {
    long sum = 0;
    for (String row : table.values()) {
      try {
        JsonNode node = ConfigLoader.JSON.readTree(row);
        if (granularity == null || granularity.equals(node.path("granularity").asText())) {
          sum += node.path(field).asLong();
        }
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return sum;
  }
}
