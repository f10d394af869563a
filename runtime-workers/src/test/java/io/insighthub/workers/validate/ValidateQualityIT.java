package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.insighthub.crds.v1alpha1.DuplicatesCheck;
import io.insighthub.crds.v1alpha1.LateArrivalCheck;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.streams.StreamsSettings;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Validate reporting what it routes as QualityRule results on a real broker: duplicates dropped,
 * late events and schema drift, counted per interval in {@code quality:validate} records.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ValidateQualityIT {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Test
  void duplicatesLateEventsAndDriftAreCountedOncePerRecord(KafkaBroker broker) throws Exception {
    String prefix = "validate-quality";
    Topics.create(
        broker,
        1,
        prefix + ".raw",
        prefix + ".validated",
        prefix + ".dlq",
        prefix + ".late",
        prefix + ".watermarks");
    Topics.produce(
        broker,
        List.of(
            raw(prefix, event("e1", "10:00:00", "")),
            raw(prefix, event("e2", "10:00:01", ",\"plan\":\"pro\"")),
            raw(prefix, event("e1", "10:00:00", "")),
            raw(prefix, event("e4", "12:00:00", "")),
            raw(prefix, event("e3", "10:30:00", ""))));
    Map<String, String> env =
        Map.of(
            StreamsSettings.STATE_DIR_ENV,
            Path.of("target", "streams-state").toAbsolutePath().toString(),
            ValidateQuality.ENV_INTERVAL,
            "1s");
    try (RunningStage stage = RunningStage.start(new ValidateStage(env), config(broker, prefix));
        Topics.Reader watermarks = Topics.reader(broker, prefix + ".watermarks")) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> sum(watermarks, "rows") == 5 && sum(watermarks, "late") == 1);
      // Three more intervals: nothing new arrives, so nothing more is counted or reported.
      int seen = watermarks.records().size();
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(30))
          .until(() -> watermarks.poll().size() == seen);

      assertThat(sum(watermarks, "rows")).isEqualTo(5);
      assertThat(sum(watermarks, "dups")).isEqualTo(1);
      assertThat(sum(watermarks, "late")).isEqualTo(1);
      assertThat(sum(watermarks, "drift")).isEqualTo(1);
      List<QualityResult> dups = results(watermarks, "dups");
      assertThat(dups).anySatisfy(r -> assertThat(r.passed()).isFalse());
      assertThat(dups).allSatisfy(r -> assertThat(r.rows()).isPositive());
      assertThat(watermark(watermarks.records().getFirst()).table()).isEqualTo("quality:validate");
      assertThat(dups.stream().filter(r -> !r.passed()).findFirst().orElseThrow().message())
          .matches("1 duplicate event ids in [1-5] records on " + prefix + "\\.raw");
    }
  }

  static WorkerConfig config(KafkaBroker broker, String prefix) throws Exception {
    WorkerConfig base =
        TestSchemas.config(
            broker.bootstrapServers(),
            prefix,
            SchemaDriftCheck.Policy.EVOLVE,
            ValidateGoldenIT.hmacKey());
    DuplicatesCheck duplicates = new DuplicatesCheck();
    duplicates.keyFields = List.of("event_id");
    LateArrivalCheck late = new LateArrivalCheck();
    late.allowedLateness = "1h";
    List<QualityCheck> checks =
        List.of(
            check("dups", QualityCheck.Kind.DUPLICATES, null, duplicates, null),
            check("late", QualityCheck.Kind.LATE_ARRIVAL, null, null, late),
            check("drift", QualityCheck.Kind.SCHEMA_DRIFT, new SchemaDriftCheck(), null, null));
    return new WorkerConfig(
        base.version(),
        base.namespace(),
        base.pipeline(),
        new WorkerConfig.Kafka(
            broker.bootstrapServers(),
            prefix + ".raw",
            prefix + ".validated",
            prefix + ".dlq",
            prefix + ".late",
            prefix + ".watermarks"),
        base.events(),
        null,
        null,
        base.pii(),
        base.transforms(),
        null,
        new WorkerConfig.Quality(
            SchemaDriftCheck.Policy.EVOLVE, "1h", "10m", List.of("dups", "late", "drift"), checks),
        null);
  }

  static QualityCheck check(
      String rule,
      QualityCheck.Kind kind,
      SchemaDriftCheck drift,
      DuplicatesCheck duplicates,
      LateArrivalCheck late) {
    return new QualityCheck(
        rule,
        null,
        kind,
        QualityRuleSpec.Severity.WARNING,
        QualityRuleSpec.Action.ALERT,
        drift,
        duplicates,
        null,
        late,
        null);
  }

  /** The sum over all intervals of one rule's violations, or of the records seen ("rows"). */
  static long sum(Topics.Reader watermarks, String rule) {
    watermarks.poll();
    if (rule.equals("rows")) {
      return results(watermarks, "dups").stream().mapToLong(QualityResult::rows).sum();
    }
    return results(watermarks, rule).stream().mapToLong(QualityResult::violations).sum();
  }

  static List<QualityResult> results(Topics.Reader watermarks, String rule) {
    return watermarks.records().stream()
        .map(ValidateQualityIT::watermark)
        .filter(w -> w.quality() != null)
        .flatMap(w -> w.quality().stream())
        .filter(r -> r.rule().equals(rule))
        .toList();
  }

  static Watermark watermark(ConsumerRecord<byte[], byte[]> record) {
    try {
      return JSON.readValue(record.value(), Watermark.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static ProducerRecord<byte[], byte[]> raw(String prefix, String json) {
    return new ProducerRecord<>(prefix + ".raw", json.getBytes(StandardCharsets.UTF_8));
  }

  static String event(String id, String time, String extra) {
    return "{\"event_id\":\""
        + id
        + "\",\"occurred_at\":\"2026-11-20T"
        + time
        + "Z\",\"event_type\":\"page_view\",\"account_id\":\"acct-1\""
        + extra
        + "}";
  }
}
