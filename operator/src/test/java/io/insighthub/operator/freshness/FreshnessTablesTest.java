package io.insighthub.operator.freshness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.operator.testing.Samples;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tables each sample Pipeline is held to, named as the workers name them in watermarks:
 * LoadStage writes VALIDATED.<sink table> and CURATED.<transform name> for streamed transforms,
 * cdc-load writes <CdcSource sink schema>.<table> under the CdcSource's name.
 */
class FreshnessTablesTest {
  static final Duration TWO_MINUTES = Duration.ofMinutes(2);
  static final Duration HALF_HOUR = Duration.ofMinutes(30);

  @Test
  void anEventsPipelineTracksItsValidatedTableStreamedTransformsAndArchive() {
    Pipeline pipeline = Samples.pipeline("product-events");
    pipeline.getMetadata().setNamespace("analytics");

    assertThat(FreshnessTables.of(pipeline, null))
        .extracting(t -> t.owner(), t -> t.table(), t -> t.sla())
        .containsExactly(
            tuple("product-events", "VALIDATED.PRODUCT_EVENTS", TWO_MINUTES),
            tuple(
                "product-events",
                "s3://insighthub-archive/raw/analytics/product-events/",
                Duration.ofMinutes(15)),
            tuple("product-events", "CURATED.SESSIONS", TWO_MINUTES),
            tuple("product-events", "CURATED.ACCOUNT_USAGE", TWO_MINUTES));
  }

  @Test
  void withoutASinkTableTheEventsTableIsNamedAfterThePipeline() {
    Pipeline pipeline = Samples.pipeline("product-events");
    pipeline.getSpec().sink.table = null;
    pipeline.getSpec().transforms = List.of();
    pipeline.getSpec().archive = null;
    pipeline.getSpec().freshness.streamingSla = "45s";

    assertThat(FreshnessTables.of(pipeline, null))
        .containsExactly(
            new FreshnessTables.Tracked(
                "product-events", "VALIDATED.PRODUCT_EVENTS", Duration.ofSeconds(45)));
  }

  @Test
  void aCdcPipelineTracksItsCdcSourcesTablesUnderTheCdcSourcesNameAndSqlModelsAsCurated() {
    Pipeline pipeline = Samples.pipeline("billing");
    CdcSource source = Samples.cdcSource("billing-db");

    assertThat(FreshnessTables.of(pipeline, source))
        .extracting(t -> t.owner(), t -> t.table(), t -> t.sla())
        .containsExactly(
            tuple("billing-db", "VALIDATED.ACCOUNTS", TWO_MINUTES),
            tuple("billing-db", "VALIDATED.SUBSCRIPTIONS", TWO_MINUTES),
            tuple("billing-db", "VALIDATED.INVOICES", TWO_MINUTES),
            tuple("billing", "CURATED.MRR_BY_ACCOUNT", HALF_HOUR),
            tuple("billing", "CURATED.REVENUE_DAILY", HALF_HOUR),
            tuple("billing", "CURATED.ARR_SUMMARY", HALF_HOUR));
  }

  @Test
  void aCdcPipelineMayTrackASubsetAndNonPublicSchemasArePrefixed() {
    Pipeline pipeline = Samples.pipeline("billing");
    pipeline.getSpec().transforms = List.of();
    pipeline.getSpec().source.cdc.tables = List.of("public.invoices", "ledger.entries");
    CdcSource source = Samples.cdcSource("billing-db");
    source.getSpec().sink.schema = "raw";

    assertThat(FreshnessTables.of(pipeline, source))
        .extracting(FreshnessTables.Tracked::table)
        .containsExactly("RAW.INVOICES", "RAW.LEDGER_ENTRIES");
  }

  @Test
  void aBatchPipelineAndItsSqlModelsAreHeldToTheCuratedSla() {
    Pipeline pipeline = Samples.pipeline("billing-files");

    assertThat(FreshnessTables.of(pipeline, null))
        .extracting(t -> t.table(), t -> t.sla())
        .containsExactly(
            tuple("VALIDATED.PAYMENT_SETTLEMENTS", Duration.ofHours(26)),
            tuple("CURATED.INVOICE_SETTLEMENT", Duration.ofHours(26)));
  }

  @Test
  void aCdcSourceTracksEveryCapturedTable() {
    assertThat(FreshnessTables.of(Samples.cdcSource("billing-db")))
        .containsExactly("VALIDATED.ACCOUNTS", "VALIDATED.SUBSCRIPTIONS", "VALIDATED.INVOICES");
  }
}
