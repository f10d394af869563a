package io.insighthub.crds.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.v1alpha1.SinkSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator writes and the workers read the same JSON; a round trip must lose nothing. */
class WorkerConfigJsonTest {
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Test
  void workerConfigSurvivesRoundTrip() throws Exception {
    EventsSource events = new EventsSource();
    events.fields =
        List.of(
            new EventField("event_id", EventField.Type.STRING, true),
            new EventField("occurred_at", EventField.Type.TIMESTAMP, true));
    events.keyFields = List.of("event_id");
    events.eventTimeField = "occurred_at";
    WorkerConfig config =
        new WorkerConfig(
            WorkerConfig.CURRENT_VERSION,
            "analytics",
            "product-events",
            new WorkerConfig.Kafka(
                "kafka:9092",
                "analytics.product-events.raw",
                "analytics.product-events.validated",
                "analytics.product-events.dlq",
                "analytics.product-events.late",
                WorkerConfig.WATERMARK_TOPIC),
            events,
            null,
            null,
            new WorkerConfig.Pii(
                List.of(new PiiField("email", PiiField.Action.HASH)), "/secrets/pii/hmac-key", 30),
            List.of(),
            new WorkerConfig.Sink(
                "/secrets/warehouse",
                "ANALYTICS",
                "VALIDATED",
                "PRODUCT_EVENTS",
                SinkSpec.Mode.MERGE),
            new WorkerConfig.Quality(
                SchemaDriftCheck.Policy.QUARANTINE, "1h", "10m", List.of("product-events-schema")),
            null);

    String text = json.writeValueAsString(config);
    WorkerConfig read = json.readValue(text, WorkerConfig.class);

    assertThat(text).contains("\"action\":\"hash\"").contains("\"schemaDrift\":\"quarantine\"");
    assertThat(read).usingRecursiveComparison().isEqualTo(config);
  }

  @Test
  void transformTopicIsNamespacedByPipeline() throws Exception {
    WorkerConfig config =
        json.readValue(
            "{\"version\":1,\"namespace\":\"analytics\",\"pipeline\":\"product-events\"}",
            WorkerConfig.class);

    assertThat(config.transformTopic("account-usage"))
        .isEqualTo("analytics.product-events.account-usage");
    assertThat(json.writeValueAsString(config)).doesNotContain("transformTopic");
  }

  @Test
  void watermarkKeyNamesOneTable() throws Exception {
    Watermark mark =
        new Watermark(
            "analytics",
            "billing",
            "VALIDATED.INVOICES",
            Instant.parse("2026-11-27T01:00:00Z"),
            Instant.parse("2026-11-27T01:00:05Z"),
            1200,
            0);

    Watermark read = json.readValue(json.writeValueAsString(mark), Watermark.class);

    assertThat(read).isEqualTo(mark);
    assertThat(mark.key()).isEqualTo("analytics/billing/VALIDATED.INVOICES");
  }
}
