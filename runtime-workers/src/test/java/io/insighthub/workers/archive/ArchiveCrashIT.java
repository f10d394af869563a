package io.insighthub.workers.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.worker.Lifecycle;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.e2e.s3.S3Server;
import io.insighthub.e2e.s3.S3ServerExtension;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.WorkerProcess;
import io.insighthub.workers.files.archive.ArchiveLayout;
import io.insighthub.workers.files.archive.ArchiveRecord;
import io.insighthub.workers.testing.ArchiveFixtures;
import io.insighthub.workers.testing.TestDirs;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The archiver, as its own process, SIGKILLed again and again while it writes, with a second
 * archiver joining and then killed (two rebalances): in the end the objects together hold every raw
 * record exactly once, by position and by bytes, each under the hour its key names.
 */
@ExtendWith({KafkaBrokerExtension.class, S3ServerExtension.class})
class ArchiveCrashIT {
  private static final String PIPELINE = "crash-archive";
  private static final int PARTITIONS = 3;
  private static final int CHUNKS = 6;
  private static final int CHUNK_SIZE = 2_500;

  private final List<WorkerProcess> workers = new ArrayList<>();

  @AfterEach
  void stopWorkers() {
    workers.forEach(WorkerProcess::kill);
  }

  @Test
  void everyRawRecordLandsInExactlyOneObjectAcrossKillsAndRebalances(
      KafkaBroker broker, S3Server s3) throws Exception {
    Topics.create(broker, PARTITIONS, PIPELINE + ".raw");
    Path dir = TestDirs.fresh(PIPELINE);
    Lifecycle.Archive archive =
        ArchiveFixtures.archive(s3.createBucket(), PIPELINE, 32 * 1024, "1s");
    WorkerConfig config =
        ArchiveFixtures.config(
            broker.bootstrapServers(), PIPELINE, archive, null, 0, List.of(), List.of(), null);
    Path configFile =
        Files.writeString(dir.resolve("config.json"), ConfigLoader.JSON.writeValueAsString(config));
    Map<String, String> env = new HashMap<>(ArchiveFixtures.env(s3));
    // A killed member leaves the group after this; its partitions move on.
    env.put("KAFKA_STREAMS_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_STREAMS_HEARTBEAT_INTERVAL_MS", "1000");

    Random random = new Random(19);
    Map<String, ProducerRecord<byte[], byte[]>> sent = new HashMap<>();
    Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(5));
    WorkerProcess first = start(configFile, dir, env, "a");
    WorkerProcess second = null;
    int kills = 0;
    for (int chunk = 0; chunk < CHUNKS; chunk++) {
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      for (int i = 0; i < CHUNK_SIZE; i++) {
        records.add(record(random, base, chunk, i));
      }
      List<RecordMetadata> landed = Topics.produce(broker, records);
      for (int i = 0; i < records.size(); i++) {
        sent.put(position(landed.get(i).partition(), landed.get(i).offset()), records.get(i));
      }
      int before = keys(s3, archive).size();
      // Kill as soon as this chunk starts reaching the archive: mid-range, objects in flight.
      await().atMost(Duration.ofMinutes(2)).until(() -> keys(s3, archive).size() > before);
      first.kill();
      kills++;
      first = start(configFile, dir, env, "a");
      if (chunk == 1) {
        second = start(configFile, dir, env, "b");
      } else if (chunk == 4 && second != null) {
        second.kill();
        workers.remove(second);
        second = null;
      }
    }
    assertThat(kills).isGreaterThanOrEqualTo(5);

    await().atMost(Duration.ofMinutes(3)).until(() -> archived(s3, archive).size() >= sent.size());
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(30))
        .until(() -> archived(s3, archive).size() == sent.size());

    List<ArchiveFixtures.StoredObject> objects = ArchiveFixtures.objects(s3, archive);
    List<String> positions = new ArrayList<>();
    for (ArchiveFixtures.StoredObject object : objects) {
      assertThat(object.records()).isNotEmpty();
      assertThat(object.records().getFirst().offset()).isEqualTo(object.key().first());
      assertThat(object.records().getLast().offset()).isEqualTo(object.key().last());
      for (ArchiveRecord record : object.records()) {
        assertThat(record.partition()).isEqualTo(object.key().partition());
        positions.add(position(record.partition(), record.offset()));
        ProducerRecord<byte[], byte[]> original = sent.get(position(record));
        assertThat(original).as("a record that was sent: %s", position(record)).isNotNull();
        assertThat(record.key()).isEqualTo(original.key());
        assertThat(record.value()).isEqualTo(original.value());
        assertThat(record.headers())
            .extracting(ArchiveRecord.Header::name)
            .containsExactly(
                Arrays.stream(original.headers().toArray())
                    .map(h -> h.key())
                    .toArray(String[]::new));
        if (!object.key().untimed()) {
          assertThat(ArchiveLayout.hourOf(eventTime(original)))
              .as("the hour of the object's key")
              .isEqualTo(object.key().hour());
        }
      }
    }
    assertThat(positions).as("every record once").doesNotHaveDuplicates();
    assertThat(positions).containsExactlyInAnyOrderElementsOf(sent.keySet());
    assertThat(objects).anyMatch(o -> o.key().untimed());
    assertThat(first.stop(Duration.ofSeconds(30))).isIn(0, 143);
  }

  private WorkerProcess start(Path config, Path dir, Map<String, String> env, String name) {
    WorkerProcess worker =
        WorkerProcess.start("archive", config, dir.resolve("archive-" + name + ".log"), env);
    workers.add(worker);
    return worker;
  }

  /** A mix: events over six hours, some three days late, unusable times, binary, headers. */
  private static ProducerRecord<byte[], byte[]> record(
      Random random, Instant base, int chunk, int i) {
    String id = "e-" + chunk + "-" + i;
    int kind = random.nextInt(40);
    byte[] value;
    if (kind == 0) {
      value = ("not json " + id).getBytes(StandardCharsets.UTF_8);
    } else if (kind == 1) {
      value = new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) chunk, (byte) i};
    } else if (kind == 2) {
      value =
          ("{\"event_id\":\"" + id + "\",\"occurred_at\":\"yesterday\"}")
              .getBytes(StandardCharsets.UTF_8);
    } else {
      Instant at =
          kind == 3 ? base.minus(Duration.ofDays(3)) : base.plusSeconds(random.nextInt(6 * 3600));
      value =
          ("{\"event_id\":\""
                  + id
                  + "\",\"occurred_at\":\""
                  + at
                  + "\",\"event_type\":\"page_view\",\"email\":\"user"
                  + i
                  + "@example.com\",\"note\":\"caf\u00e9 \\\"quoted\\\"\"}")
              .getBytes(StandardCharsets.UTF_8);
    }
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(PIPELINE + ".raw", null, id.getBytes(StandardCharsets.UTF_8), value);
    if (kind == 4) {
      record.headers().add(new RecordHeader("trace-id", new byte[] {1, 2, (byte) 0x80}));
    }
    return record;
  }

  private static long eventTime(ProducerRecord<byte[], byte[]> record) {
    return new RawEventTime("occurred_at").of(record.value());
  }

  private static String position(int partition, long offset) {
    return partition + "@" + offset;
  }

  private static String position(ArchiveRecord record) {
    return position(record.partition(), record.offset());
  }

  private static List<String> keys(S3Server s3, Lifecycle.Archive archive) {
    try (S3Client client = s3.client()) {
      List<String> keys = new ArrayList<>();
      client
          .listObjectsV2Paginator(b -> b.bucket(archive.bucket()).prefix(archive.prefix()))
          .forEach(
              page ->
                  page.contents().stream()
                      .map(o -> o.key())
                      .filter(k -> ArchiveLayout.parse(archive.prefix(), k).isPresent())
                      .forEach(keys::add));
      return keys;
    }
  }

  private static List<String> archived(S3Server s3, Lifecycle.Archive archive) {
    List<String> positions = new ArrayList<>();
    ArchiveFixtures.objects(s3, archive)
        .forEach(o -> o.records().forEach(r -> positions.add(position(r))));
    return positions;
  }
}
