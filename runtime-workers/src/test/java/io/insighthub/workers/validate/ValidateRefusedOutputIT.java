package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A failed transaction is aborted and retried from the last commit, and a failure that retrying
 * cannot fix stops the stage: the validated topic refuses record batches over 1,500 bytes, one
 * event is larger even compressed. Every attempt aborts its transaction (so none of the events
 * beside it is written twice or at all), and after {@link ValidateLoop#MAX_FAILED_IN_A_ROW}
 * attempts the stage exits non-zero.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ValidateRefusedOutputIT {
  private static final String PREFIX = "refused";

  @Test
  void anOutputTheBrokerAlwaysRefusesStopsTheStageWithNothingWrittenTwice(KafkaBroker broker)
      throws Exception {
    Topics.create(broker, 1, PREFIX + ".raw", PREFIX + ".dlq", PREFIX + ".late");
    try (Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(PREFIX + ".validated", 1, (short) 1)
                      .configs(Map.of("retention.ms", "-1", "max.message.bytes", "100"))))
          .all()
          .get();
    }
    WorkerConfig config =
        TestSchemas.config(
            broker.bootstrapServers(),
            PREFIX,
            SchemaDriftCheck.Policy.EVOLVE,
            ValidateGoldenIT.hmacKey());
    long time = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String event =
          "{\"event_id\":\"e"
              + i
              + "\",\"occurred_at\":"
              + (time + i)
              + ",\"event_type\":\"page_view\",\"account_id\":\"acct-1\"}";
      records.add(
          new ProducerRecord<>(
              PREFIX + ".raw",
              ("e" + i).getBytes(StandardCharsets.UTF_8),
              event.getBytes(StandardCharsets.UTF_8)));
    }

    try (Topics.Reader validated = Topics.reader(broker, PREFIX + ".validated")) {
      // All 20 in one send: they land in the stage's first poll, so in one transaction.
      Topics.produce(broker, records);
      try (RunningStage stage =
          RunningStage.start(new ValidateStage(ValidateGoldenIT.env()), config)) {
        assertThat(stage.awaitExit(Duration.ofSeconds(120))).isEqualTo(ValidateStage.EXIT_FAILED);
        assertThat(stage.count(ValidateMetrics.RECORDS_IN))
            .as("each attempt read the records again")
            .isGreaterThan(20.0 * ValidateLoop.MAX_FAILED_IN_A_ROW);
      }
      assertThat(validated.poll()).isEmpty();
    }
  }
}
