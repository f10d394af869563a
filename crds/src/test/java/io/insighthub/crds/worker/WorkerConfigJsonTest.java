package io.insighthub.crds.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.NullSpikeCheck;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
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

  @Test
  void qualityChecksSurviveRoundTripAndAreLeftOutWhenNone() throws Exception {
    NullSpikeCheck nulls = new NullSpikeCheck();
    nulls.field = "account_id";
    nulls.maxFactor = 3.0;
    QualityCheck check =
        new QualityCheck(
            "product-events-account-nulls",
            "VALIDATED.PRODUCT_EVENTS",
            QualityCheck.Kind.NULL_SPIKE,
            QualityRuleSpec.Severity.WARNING,
            QualityRuleSpec.Action.ALERT,
            null,
            null,
            nulls,
            null,
            null);
    WorkerConfig.Quality quality =
        new WorkerConfig.Quality(null, "1h", "10m", List.of(check.rule()), List.of(check));

    String text = json.writeValueAsString(quality);
    WorkerConfig.Quality read = json.readValue(text, WorkerConfig.Quality.class);

    assertThat(text).contains("\"kind\":\"nullSpike\"");
    assertThat(read).usingRecursiveComparison().isEqualTo(quality);
    assertThat(read.checks(QualityCheck.Kind.NULL_SPIKE)).hasSize(1);
    assertThat(json.writeValueAsString(new WorkerConfig.Quality(null, null, null, List.of())))
        .doesNotContain("checks");
    assertThat(check.appliesTo("VALIDATED.PRODUCT_EVENTS", null)).isTrue();
    assertThat(check.appliesTo("CURATED.SESSIONS", "VALIDATED.PRODUCT_EVENTS")).isFalse();
  }

  @Test
  void watermarksWithAndWithoutQualityResultsReadBothWays() throws Exception {
    Instant at = Instant.parse("2026-11-27T01:00:05Z");
    QualityResult result =
        new QualityResult(
            "volume",
            QualityCheck.Kind.VOLUME,
            "VALIDATED.INVOICES",
            QualityRuleSpec.Severity.CRITICAL,
            at,
            false,
            4,
            6,
            4.0,
            10.0,
            "4 rows in 1h < min 10 on VALIDATED.INVOICES");
    Watermark mark = Watermark.qualityOnly("analytics", "billing", "load", at, List.of(result));

    // Written before the field existed: no results.
    Watermark old =
        json.readValue(
            "{\"namespace\":\"analytics\",\"pipeline\":\"billing\",\"table\":\"VALIDATED.INVOICES\","
                + "\"loadTime\":\"2026-11-27T01:00:05Z\",\"rows\":3,\"qualityFailures\":0}",
            Watermark.class);
    Watermark read = json.readValue(json.writeValueAsString(mark), Watermark.class);

    assertThat(old.quality()).isNull();
    assertThat(read).isEqualTo(mark);
    assertThat(read.key()).isEqualTo("analytics/billing/quality:load");
    assertThat(read.isQualityOnly()).isTrue();
    assertThat(read.qualityFailures()).isEqualTo(1);
    assertThat(json.writeValueAsString(mark)).doesNotContain("qualityOnly");
  }
}
