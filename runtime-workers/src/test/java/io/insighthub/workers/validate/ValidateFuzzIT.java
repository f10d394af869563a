package io.insighthub.workers.validate;

import static io.insighthub.workers.validate.ValidateGoldenIT.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.rows.Reason;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thousands of generated good, bad and edge-case events through the real validate stage, run once
 * for the class: every input lands in exactly one of validated / DLQ / late / dropped-as-duplicate,
 * the counts add up, and no raw PII value reaches the validated or late topic.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValidateFuzzIT {
  private static final String PREFIX = "fuzz";
  private static final int COUNT = 6_000;

  private List<FuzzEvents.Input> inputs;
  private List<RecordMetadata> landed;
  private Set<String> piiValues;
  private final Map<String, List<ConsumerRecord<byte[], byte[]>>> outputs = new HashMap<>();
  private double duplicatesDropped;
  private double dlqMetric;
  private double validatedMetric;
  private double lateMetric;
  private final Map<String, Double> dlqByReasonMetric = new HashMap<>();

  @BeforeAll
  void runTheStageOverTheFuzzedStream(KafkaBroker broker) throws Exception {
    FuzzEvents fuzz = new FuzzEvents(20261127L, Instant.parse("2026-11-20T00:00:00Z"));
    inputs = fuzz.generate(COUNT);
    piiValues = fuzz.piiValues();
    Topics.create(
        broker, 2, PREFIX + ".raw", PREFIX + ".validated", PREFIX + ".dlq", PREFIX + ".late");
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (FuzzEvents.Input input : inputs) {
      byte[] key =
          input.eventId() == null ? null : input.eventId().getBytes(StandardCharsets.UTF_8);
      records.add(new ProducerRecord<>(PREFIX + ".raw", key, input.value()));
    }
    landed = Topics.produce(broker, records);

    try (RunningStage stage =
            RunningStage.start(
                new ValidateStage(ValidateGoldenIT.env()),
                TestSchemas.config(
                    broker.bootstrapServers(),
                    PREFIX,
                    SchemaDriftCheck.Policy.EVOLVE,
                    ValidateGoldenIT.hmacKey()));
        Topics.Reader validated = Topics.reader(broker, PREFIX + ".validated");
        Topics.Reader dlq = Topics.reader(broker, PREFIX + ".dlq");
        Topics.Reader late = Topics.reader(broker, PREFIX + ".late")) {
      await()
          .atMost(Duration.ofMinutes(3))
          .until(
              () ->
                  validated.poll().size()
                          + dlq.poll().size()
                          + late.poll().size()
                          + stage.count(ValidateMetrics.DUPLICATES_DROPPED)
                      >= COUNT);
      // Anything beyond the expected total would show up within a few more polls.
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  validated.poll().size()
                          + dlq.poll().size()
                          + late.poll().size()
                          + stage.count(ValidateMetrics.DUPLICATES_DROPPED)
                      == COUNT);
      outputs.put("validated", validated.records());
      outputs.put("dlq", dlq.records());
      outputs.put("late", late.records());
      duplicatesDropped = stage.count(ValidateMetrics.DUPLICATES_DROPPED);
      dlqMetric = stage.count(ValidateMetrics.DLQ);
      validatedMetric = stage.count(ValidateMetrics.RECORDS_OUT, "output", "validated");
      lateMetric = stage.count(ValidateMetrics.LATE);
      for (Reason reason : Reason.values()) {
        dlqByReasonMetric.put(
            reason.name(), stage.count(ValidateMetrics.DLQ, "reason", reason.name()));
      }
      assertThat(stage.hasExited()).as("the stage keeps running").isFalse();
    }
  }

  @Test
  void everyInputLandsInExactlyOnePlace() {
    Map<String, String> routeBySource = new HashMap<>();
    List<String> routedTwice = new ArrayList<>();
    outputs.forEach(
        (route, records) ->
            records.forEach(
                r -> {
                  String source =
                      header(r, OutputHeaders.SOURCE_PARTITION)
                          + "@"
                          + header(r, OutputHeaders.SOURCE_OFFSET);
                  if (routeBySource.put(source, route) != null) {
                    routedTwice.add(source);
                  }
                }));
    assertThat(routedTwice).isEmpty();

    Set<String> validatedIds = ids(outputs.get("validated"));
    List<String> unrouted = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      RecordMetadata where = landed.get(i);
      if (!routeBySource.containsKey(where.partition() + "@" + where.offset())) {
        unrouted.add(inputs.get(i).kind() + ":" + inputs.get(i).eventId());
        assertThat(validatedIds)
            .as("an input missing from every output must repeat a validated event id")
            .contains(inputs.get(i).eventId());
      }
    }
    assertThat(routeBySource).hasSize(COUNT - unrouted.size());
    assertThat((double) unrouted.size()).isEqualTo(duplicatesDropped);
    assertThat(unrouted).allSatisfy(kind -> assertThat(kind).startsWith("duplicate:"));
  }

  @Test
  void everyKindOfBadInputReachesTheDlqWithAReason() {
    Map<String, Long> reasons =
        outputs.get("dlq").stream()
            .collect(
                Collectors.groupingBy(r -> header(r, OutputHeaders.REASON), Collectors.counting()));
    assertThat(reasons.keySet())
        .contains(
            "MALFORMED_JSON",
            "EVENT_TOO_LARGE",
            "MISSING_REQUIRED_FIELD",
            "WRONG_TYPE",
            "INVALID_TIMESTAMP",
            "FIELD_TOO_LONG",
            "EVENT_TIME_OUT_OF_RANGE");
    reasons.forEach(
        (reason, count) ->
            assertThat(dlqByReasonMetric.get(reason)).as(reason).isEqualTo(count.doubleValue()));
    assertThat(outputs.get("dlq"))
        .allSatisfy(r -> assertThat(header(r, OutputHeaders.REASON_DETAIL)).isNotBlank());
  }

  @Test
  void metricsAgreeWithTheTopics() {
    assertThat(validatedMetric).isEqualTo(outputs.get("validated").size());
    assertThat(dlqMetric).isEqualTo(outputs.get("dlq").size());
    assertThat(lateMetric).isEqualTo(outputs.get("late").size()).isPositive();
    assertThat(duplicatesDropped).isPositive();
  }

  @Test
  void validatedTopicHoldsEachEventIdOnce() {
    List<String> ids = new ArrayList<>();
    outputs.get("validated").forEach(r -> ids.add(new String(r.key(), StandardCharsets.UTF_8)));
    assertThat(ids).doesNotHaveDuplicates().hasSize(ids(outputs.get("validated")).size());
  }

  @Test
  void noRawPiiValueReachesTheValidatedOrLateTopic() {
    assertThat(piiValues).hasSizeGreaterThan(1_000);
    List<String> leaks = new ArrayList<>();
    for (String route : List.of("validated", "late")) {
      for (ConsumerRecord<byte[], byte[]> r : outputs.get(route)) {
        StringBuilder all = new StringBuilder();
        all.append(r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8));
        all.append(new String(r.value(), StandardCharsets.UTF_8));
        for (Header h : r.headers()) {
          all.append(h.key()).append(new String(h.value(), StandardCharsets.UTF_8));
        }
        String text = all.toString();
        for (String pii : piiValues) {
          if (text.contains(pii)) {
            leaks.add(route + " " + header(r, OutputHeaders.SOURCE_OFFSET));
          }
        }
      }
    }
    assertThat(leaks).isEmpty();
  }

  private static Set<String> ids(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> ids = new HashSet<>();
    records.forEach(r -> ids.add(new String(r.key(), StandardCharsets.UTF_8)));
    return ids;
  }
}
