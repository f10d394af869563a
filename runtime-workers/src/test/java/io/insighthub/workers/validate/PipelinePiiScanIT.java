package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.aggregate.AggregateStage;
import io.insighthub.workers.rows.PiiMinimizer;
import io.insighthub.workers.streams.StreamsSettings;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.TestDirs;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Raw events whose user id, device id, email, IP and phone are PII (hash, hash, hash, drop, mask)
 * go through the real validate stage and then the real aggregate stage; every record of the
 * sessions and account-usage topics (key, value and headers) is scanned for each raw value, and
 * none may appear. The sessions must still be keyed by the hashed user, so the scan reads real
 * aggregates and not an empty topic.
 */
@ExtendWith(KafkaBrokerExtension.class)
class PipelinePiiScanIT {
  private static final String P = "pii-scan";
  private static final int EVENTS = 600;
  private static final int USERS = 40;

  @Test
  void aggregateTopicsHoldNoRawPiiValue(KafkaBroker broker) throws Exception {
    Path dir = TestDirs.fresh(P);
    Path key = Files.writeString(dir.resolve("hmac-key"), "pii-scan-key");
    List<PiiField> pii =
        List.of(
            new PiiField("user_id", PiiField.Action.HASH),
            new PiiField("device_id", PiiField.Action.HASH),
            new PiiField("email", PiiField.Action.HASH),
            new PiiField("ip", PiiField.Action.DROP),
            new PiiField("phone", PiiField.Action.MASK));
    WorkerConfig base =
        TestSchemas.config(broker.bootstrapServers(), P, SchemaDriftCheck.Policy.EVOLVE, key);
    WorkerConfig config =
        BenchmarkConfigs.aggregate(
            new WorkerConfig(
                base.version(),
                base.namespace(),
                base.pipeline(),
                base.kafka(),
                base.events(),
                null,
                null,
                new WorkerConfig.Pii(pii, key.toString(), 30),
                List.of(),
                null,
                base.quality(),
                null));
    WorkerConfig.Kafka k = config.kafka();
    String sessionsTopic = config.transformTopic("sessions");
    String usageTopic = config.transformTopic("account-usage");
    Topics.create(broker, 2, k.raw(), k.validated(), k.dlq(), k.late(), sessionsTopic, usageTopic);

    Set<String> raw = new LinkedHashSet<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    // 600 events 20 s apart, ending ~1.7 h ago: recent, as the topics' retention expects.
    long time = Instant.now().minus(Duration.ofHours(5)).toEpochMilli();
    for (int i = 0; i < EVENTS; i++) {
      int u = i % USERS;
      String user = "person-" + u + "-7f3a";
      String device = "handset-" + u + "-serial-4411";
      String email = "person." + u + "@mailbox.example.org";
      String ip = "198.51." + u + ".23";
      String phone = "+1-202-555-01" + (10 + u);
      // Anonymous (device-only) events too, so device sessions are scanned as well.
      boolean anonymous = i % 5 == 0;
      raw.add(device);
      raw.add(email);
      raw.add(ip);
      raw.add(phone);
      if (!anonymous) {
        raw.add(user);
      }
      String json =
          "{\"event_id\":\"pii-"
              + i
              + "\",\"occurred_at\":\""
              + Instant.ofEpochMilli(time + i * 20_000L)
              + "\",\"event_type\":\""
              + (i % 7 == 0 ? "api_call" : "page_view")
              + "\",\"account_id\":\"acct-"
              + (u % 5)
              + "\""
              + (anonymous ? "" : ",\"user_id\":\"" + user + "\"")
              + ",\"device_id\":\""
              + device
              + "\",\"email\":\""
              + email
              + "\",\"ip\":\""
              + ip
              + "\",\"phone\":\""
              + phone
              + "\",\"platform\":\"web\"}";
      records.add(
          new ProducerRecord<>(
              k.raw(),
              ("pii-" + i).getBytes(StandardCharsets.UTF_8),
              json.getBytes(StandardCharsets.UTF_8)));
    }
    Topics.produce(broker, records);

    Map<String, String> env =
        Map.of(StreamsSettings.STATE_DIR_ENV, dir.resolve("state").toString());
    List<ConsumerRecord<byte[], byte[]>> outputs = new ArrayList<>();
    Map<String, String> usage = new HashMap<>();
    PiiMinimizer hasher = new PiiMinimizer(pii, Files.readAllBytes(key));
    List<String> expectedSessions =
        List.of(
            "user:" + hasher.hash("person-1-7f3a"),
            "device:" + hasher.hash("handset-0-serial-4411"));
    Set<String> sessionUsers = new LinkedHashSet<>();
    try (RunningStage validate = RunningStage.start(new ValidateStage(env), config);
        RunningStage aggregate = RunningStage.start(new AggregateStage(env), config);
        Topics.Reader sessionReader = Topics.reader(broker, sessionsTopic);
        Topics.Reader usageReader = Topics.reader(broker, usageTopic)) {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> {
                // The two topics are read one after the other: a round committed between the
                // two reads shows its usage rows before its sessions, so wait for both.
                for (ConsumerRecord<byte[], byte[]> r : sessionReader.poll()) {
                  outputs.add(r);
                  if (r.value() != null) {
                    sessionUsers.add(
                        ConfigLoader.JSON.readTree(r.value()).path("user_key").asText());
                  }
                }
                for (ConsumerRecord<byte[], byte[]> r : usageReader.poll()) {
                  outputs.add(r);
                  usage.put(text(r.key()), r.value() == null ? null : text(r.value()));
                }
                return dailyEvents(usage) == EVENTS && sessionUsers.containsAll(expectedSessions);
              });
    }

    List<String> leaks = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : outputs) {
      StringBuilder all = new StringBuilder(text(r.key()));
      all.append(r.value() == null ? "" : text(r.value()));
      for (Header h : r.headers()) {
        all.append(h.key()).append(text(h.value()));
      }
      String scanned = all.toString();
      for (String value : raw) {
        if (scanned.contains(value)) {
          leaks.add(r.topic() + "/" + r.partition() + "@" + r.offset() + " holds a raw value");
        }
      }
    }
    assertThat(leaks).isEmpty();
    // The scan covered real sessions, keyed by the hashed user and device.
    assertThat(sessionUsers).containsAll(expectedSessions);
  }

  private static long dailyEvents(Map<String, String> usage) throws Exception {
    long sum = 0;
    for (String row : usage.values()) {
      if (row != null) {
        JsonNode node = ConfigLoader.JSON.readTree(row);
        if (node.path("granularity").asText().equals("day")) {
          sum += node.path("events").asLong();
        }
      }
    }
    return sum;
  }

  private static String text(byte[] bytes) {
    return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
  }
}
