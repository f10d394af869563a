package io.insighthub.workers.validate;

import static io.insighthub.workers.validate.ValidateGoldenIT.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The three schema-drift policies on the real broker: evolve, quarantine and halt. */
@ExtendWith(KafkaBrokerExtension.class)
class ValidateDriftPolicyIT {

  @Test
  void evolvePassesNewFieldsAndReportsEachOnce(KafkaBroker broker) throws Exception {
    String prefix = "drift-evolve";
    produce(
        broker,
        prefix,
        event("e1", "\"plan\":\"pro\""),
        event("e2", "\"plan\":\"free\",\"seats\":3"),
        event("e3", "\"plan\":\"pro\""));
    try (RunningStage stage = start(broker, prefix, SchemaDriftCheck.Policy.EVOLVE);
        Topics.Reader validated = Topics.reader(broker, prefix + ".validated")) {
      await().atMost(Duration.ofSeconds(60)).until(() -> validated.poll().size() == 3);
      assertThat(stage.count(ValidateMetrics.SCHEMA_DRIFT_FIELDS)).isEqualTo(2);
      assertThat(new String(validated.records().get(1).value(), StandardCharsets.UTF_8))
          .contains("\"seats\":3");
    }
  }

  @Test
  void quarantineSendsDriftedRecordsToTheDlqNamingTheField(KafkaBroker broker) throws Exception {
    String prefix = "drift-quarantine";
    produce(broker, prefix, event("e1", ""), event("e2", "\"plan\":\"pro\""), event("e3", ""));
    try (RunningStage stage = start(broker, prefix, SchemaDriftCheck.Policy.QUARANTINE);
        Topics.Reader validated = Topics.reader(broker, prefix + ".validated");
        Topics.Reader dlq = Topics.reader(broker, prefix + ".dlq")) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> validated.poll().size() == 2 && dlq.poll().size() == 1);
      assertThat(header(dlq.records().get(0), OutputHeaders.REASON)).isEqualTo("SCHEMA_DRIFT");
      assertThat(header(dlq.records().get(0), OutputHeaders.REASON_DETAIL))
          .isEqualTo("field 'plan' is not in the declared schema");
      assertThat(stage.count(ValidateMetrics.DLQ, "reason", "SCHEMA_DRIFT")).isEqualTo(1);
    }
  }

  @Test
  void haltStopsTheStageWithANonZeroExitAndPassesNothingDrifted(KafkaBroker broker)
      throws Exception {
    String prefix = "drift-halt";
    produce(broker, prefix, event("e1", ""), event("e2", "\"plan\":\"pro\""), event("e3", ""));
    try (RunningStage stage = start(broker, prefix, SchemaDriftCheck.Policy.HALT);
        Topics.Reader validated = Topics.reader(broker, prefix + ".validated")) {
      assertThat(stage.awaitExit(Duration.ofSeconds(90))).isEqualTo(ValidateStage.EXIT_HALTED);
      assertThat(stage.isReady()).isFalse();
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(10))
          .until(() -> validated.poll().size() <= 1);
      assertThat(validated.records())
          .noneSatisfy(
              r -> assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("e2"));
    }
  }

  private static RunningStage start(
      KafkaBroker broker, String prefix, SchemaDriftCheck.Policy policy) throws Exception {
    return RunningStage.start(
        new ValidateStage(ValidateGoldenIT.env()),
        TestSchemas.config(broker.bootstrapServers(), prefix, policy, ValidateGoldenIT.hmacKey()));
  }

  private static void produce(KafkaBroker broker, String prefix, String... events) {
    Topics.create(
        broker, 1, prefix + ".raw", prefix + ".validated", prefix + ".dlq", prefix + ".late");
    Topics.produce(
        broker,
        java.util.Arrays.stream(events)
            .map(
                e ->
                    new ProducerRecord<byte[], byte[]>(
                        prefix + ".raw", e.getBytes(StandardCharsets.UTF_8)))
            .toList());
  }

  private static String event(String id, String extra) {
    return "{\"event_id\":\""
        + id
        + "\",\"occurred_at\":\"2026-11-20T10:00:00Z\",\"event_type\":\"page_view\","
        + "\"account_id\":\"acct-1\""
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }
}
