package io.insighthub.operator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.worker.BatchRun;
import io.insighthub.crds.worker.PurgeReport;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.testing.Samples;
import io.insighthub.operator.testing.TestPipelines;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** PiiRetentionMet from the rendered topic retention and the latest pii-purge report. */
class PiiRetentionTest {
  static final OperatorConfig CONFIG = OperatorConfig.defaults().withKafkaCluster("main");
  static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void aPipelineWithoutPiiHasNoCondition() {
    var verdict =
        PiiRetention.evaluate(
            resolve(TestPipelines.events("p", "ns"), 3), Optional.empty(), List.of(), true, NOW);
    assertThat(verdict.condition()).isNull();
  }

  @Test
  void beforeAnyPurgeTheArchiveIsAsOldAsThePipeline() {
    var young =
        PiiRetention.evaluate(
            resolve(TestPipelines.withPiiAndArchive("p", "ns"), 10),
            Optional.empty(),
            List.of(),
            true,
            NOW);
    assertThat(young.condition().getStatus()).isEqualTo("True");
    assertThat(young.condition().getMessage())
        .contains(
            "archive s3://archive/raw/ns/p/ 10d",
            "topic ns.p.raw 7d",
            "no pii-purge run has reported yet");
    assertThat(young.nextChange())
        .isEqualTo(NOW.minus(Duration.ofDays(10)).plus(Duration.ofDays(30)));

    var old =
        PiiRetention.evaluate(
            resolve(TestPipelines.withPiiAndArchive("p", "ns"), 31),
            Optional.empty(),
            List.of(),
            true,
            NOW);
    assertThat(old.condition().getStatus()).isEqualTo("False");
    assertThat(old.condition().getReason()).isEqualTo(PiiRetention.REASON_OVER);
    assertThat(old.condition().getMessage())
        .startsWith("archive s3://archive/raw/ns/p/ may hold raw PII 31d old");
  }

  @Test
  void whatAPurgeLeftAgesUntilTheNextRunAndTurnsFalsePastTheLimit() {
    Pipeline pipeline = TestPipelines.withPiiAndArchive("p", "ns");
    var ran = NOW.minus(Duration.ofHours(1));
    PurgeReport report = report(ran, ran.minus(Duration.ofDays(29)), true, List.of());

    var after =
        PiiRetention.evaluate(resolve(pipeline, 100), Optional.of(report), List.of(), true, NOW);
    assertThat(after.condition().getStatus()).isEqualTo("True");
    assertThat(after.condition().getReason()).isEqualTo(PiiRetention.REASON_WITHIN);
    assertThat(after.lastPurge().runId).isEqualTo("purge-1");
    assertThat(after.nextChange())
        .isEqualTo(ran.minus(Duration.ofDays(29)).plus(Duration.ofDays(30)));

    // The CronJob suspended: no new report; two days on the archive is past the limit.
    var stopped =
        PiiRetention.evaluate(
            resolve(pipeline, 100),
            Optional.of(report),
            List.of(),
            true,
            NOW.plus(Duration.ofDays(2)));
    assertThat(stopped.condition().getStatus()).isEqualTo("False");
    assertThat(stopped.condition().getMessage())
        .contains(
            "archive s3://archive/raw/ns/p/ may hold raw PII 31d 1h old", "(limit 30d)", "purge-1");
  }

  @Test
  void aTopicKeepingPiiTooLongOnTheBrokerTurnsItFalse() {
    Pipeline pipeline = TestPipelines.withPiiAndArchive("p", "ns");
    PurgeReport report =
        report(
            NOW,
            NOW.minus(Duration.ofDays(29)),
            true,
            List.of("topic ns.p.raw keeps records forever but holds raw PII (limit 30 days)"));

    var verdict =
        PiiRetention.evaluate(resolve(pipeline, 100), Optional.of(report), List.of(), true, NOW);

    assertThat(verdict.condition().getStatus()).isEqualTo("False");
    assertThat(verdict.condition().getMessage()).contains("topic ns.p.raw keeps records forever");
  }

  @Test
  void aReportFromBeforeThePipelineWasCreatedDoesNotCount() {
    Pipeline pipeline = TestPipelines.withPiiAndArchive("p", "ns");
    PurgeReport report =
        report(NOW.minus(Duration.ofDays(50)), NOW.minus(Duration.ofDays(79)), true, List.of());

    var verdict =
        PiiRetention.evaluate(resolve(pipeline, 5), Optional.of(report), List.of(), true, NOW);

    assertThat(verdict.lastPurge()).isNull();
    assertThat(verdict.condition().getStatus()).isEqualTo("True");
  }

  @Test
  void aBatchSourceCountsItsBucketByTheLifecycleTheLastRunRead() {
    Pipeline pipeline = Samples.pipeline("salesforce-accounts");
    var unread =
        PiiRetention.evaluate(resolve(pipeline, 3), Optional.empty(), List.of(), true, NOW);
    assertThat(unread.condition().getStatus()).isEqualTo("True");
    assertThat(unread.condition().getMessage())
        .contains(
            "source bucket s3://insighthub-exports/salesforce/accounts/: no batch-ingest run has"
                + " reported its lifecycle yet");

    var expiring =
        PiiRetention.evaluate(
            resolve(pipeline, 100),
            Optional.empty(),
            List.of(batchMark(new BatchRun.SourceLifecycle(14, 30, true, "expires after 14 days"))),
            true,
            NOW);
    assertThat(expiring.condition().getStatus()).isEqualTo("True");
    assertThat(expiring.condition().getMessage())
        .contains("source bucket s3://insighthub-exports/salesforce/accounts/ 14d");

    var kept =
        PiiRetention.evaluate(
            resolve(pipeline, 100),
            Optional.empty(),
            List.of(
                batchMark(
                    new BatchRun.SourceLifecycle(
                        90, 30, false, "its lifecycle expires files after 90 days"))),
            true,
            NOW);
    assertThat(kept.condition().getStatus()).isEqualTo("False");
    assertThat(kept.condition().getReason()).isEqualTo(PiiRetention.REASON_OVER);
    assertThat(kept.condition().getMessage())
        .startsWith(
            "source bucket s3://insighthub-exports/salesforce/accounts/: its lifecycle expires"
                + " files after 90 days");
  }

  private static Watermark batchMark(BatchRun.SourceLifecycle lifecycle) {
    BatchRun run =
        new BatchRun(
            NOW.minusSeconds(120),
            NOW.minusSeconds(60),
            BatchRun.Outcome.SUCCEEDED,
            "1 file loaded",
            1,
            10,
            0,
            0,
            0,
            List.of(),
            lifecycle);
    return new Watermark(
        "analytics",
        "salesforce-accounts",
        "VALIDATED.SALESFORCE_ACCOUNTS",
        NOW.minusSeconds(3600),
        NOW.minusSeconds(60),
        10,
        0,
        null,
        null,
        run);
  }

  private static ResolvedPipeline resolve(Pipeline pipeline, int ageDays) {
    pipeline.getMetadata().setCreationTimestamp(NOW.minus(Duration.ofDays(ageDays)).toString());
    return ResolvedPipeline.resolve(pipeline, List.of(), null, CONFIG);
  }

  private static PurgeReport report(
      Instant finished, Instant archiveOldest, boolean ok, List<String> problems) {
    return new PurgeReport(
        "ns",
        "p",
        "purge-1",
        finished.minusSeconds(60),
        finished,
        ok,
        "minimized PII in 3 archive objects",
        List.of(),
        List.of(new PurgeReport.LayerAge("archive", "s3://archive/raw/ns/p/", archiveOldest, 30)),
        problems);
  }
}
