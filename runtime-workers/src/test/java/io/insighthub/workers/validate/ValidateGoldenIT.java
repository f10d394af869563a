package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fixed raw stream through the real validate stage must route every record as {@code
 * validate/golden-expected.txt} says: validated (minimized), DLQ with reason, late, or dropped as a
 * duplicate. Run with {@code -Dinsighthub.updateGolden=true} to rewrite the file, then review it.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ValidateGoldenIT {
  private static final Path RESOURCES = Path.of("src", "test", "resources", "validate");
  private static final String PREFIX = "golden";

  @Test
  void fixedInputProducesTheGoldenOutputs(KafkaBroker broker) throws Exception {
    List<String> input = Files.readAllLines(RESOURCES.resolve("golden-input.jsonl"));
    WorkerConfig config =
        TestSchemas.config(
            broker.bootstrapServers(), PREFIX, SchemaDriftCheck.Policy.EVOLVE, hmacKey());
    Topics.create(
        broker, 1, PREFIX + ".raw", PREFIX + ".validated", PREFIX + ".dlq", PREFIX + ".late");
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (String line : input) {
      records.add(
          new ProducerRecord<>(PREFIX + ".raw", null, line.getBytes(StandardCharsets.UTF_8)));
    }
    Topics.produce(broker, records);

    Map<Long, String> routed = new TreeMap<>();
    try (RunningStage stage = RunningStage.start(new ValidateStage(env()), config);
        Topics.Reader validated = Topics.reader(broker, PREFIX + ".validated");
        Topics.Reader dlq = Topics.reader(broker, PREFIX + ".dlq");
        Topics.Reader late = Topics.reader(broker, PREFIX + ".late")) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  validated.poll().size()
                          + dlq.poll().size()
                          + late.poll().size()
                          + stage.count(ValidateMetrics.DUPLICATES_DROPPED)
                      >= input.size());
      validated.records().forEach(r -> routed.put(sourceOffset(r), render("validated", r, input)));
      dlq.records().forEach(r -> routed.put(sourceOffset(r), render("dlq", r, input)));
      late.records().forEach(r -> routed.put(sourceOffset(r), render("late", r, input)));
      assertThat(stage.count(ValidateMetrics.RECORDS_IN)).isEqualTo(input.size());
    }
    for (long offset = 0; offset < input.size(); offset++) {
      routed.putIfAbsent(offset, "#" + offset + " dropped as duplicate");
    }
    String actual = String.join("\n", routed.values()) + "\n";

    Path golden = RESOURCES.resolve("golden-expected.txt");
    if (Boolean.getBoolean("insighthub.updateGolden")) {
      Files.writeString(golden, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(golden));
  }

  private static String render(String route, ConsumerRecord<byte[], byte[]> r, List<String> input) {
    long offset = sourceOffset(r);
    assertThat(header(r, OutputHeaders.SOURCE_TOPIC)).isEqualTo(PREFIX + ".raw");
    assertThat(header(r, OutputHeaders.SOURCE_PARTITION)).isEqualTo("0");
    StringBuilder line = new StringBuilder("#" + offset + " " + route);
    for (String name :
        List.of(
            OutputHeaders.REASON,
            OutputHeaders.REASON_DETAIL,
            OutputHeaders.EVENT_TIME,
            OutputHeaders.TRUNCATED_FROM_BYTES)) {
      String value = header(r, name);
      if (value != null) {
        line.append(" ").append(name.substring("insighthub.".length())).append("=").append(value);
      }
    }
    String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
    if (route.equals("dlq")) {
      String original = input.get((int) offset);
      line.append(
          value.equals(original)
              ? " value=<as received>"
              : original.startsWith(value)
                  ? " value=<first " + r.value().length + " bytes>"
                  : " value=" + value);
    } else {
      line.append(" key=").append(new String(r.key(), StandardCharsets.UTF_8));
      line.append("\n    ").append(value);
    }
    return line.toString();
  }

  private static long sourceOffset(ConsumerRecord<byte[], byte[]> r) {
    return Long.parseLong(header(r, OutputHeaders.SOURCE_OFFSET));
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header header = r.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  static Path hmacKey() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "test-secrets"));
    return Files.writeString(dir.resolve("hmac-key"), "test-hmac-key\n");
  }

  /**
   * Local state of this test JVM only, empty at its start: state left by an earlier run would be
   * restored against a new broker (the same application ids) and decide lateness and duplicates.
   */
  private static final Path STATE_DIR =
      io.insighthub.workers.testing.TestDirs.fresh(
          "streams-state/" + ProcessHandle.current().pid());

  static Map<String, String> env() {
    return Map.of(StreamsSettings.STATE_DIR_ENV, STATE_DIR.toString());
  }
}
