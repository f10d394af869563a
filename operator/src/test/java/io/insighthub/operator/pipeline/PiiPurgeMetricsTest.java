package io.insighthub.operator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.operator.testing.TestPipelines;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pii-purge CronJob's last success as Prometheus scrapes it, for the stopped-purge alert. */
class PiiPurgeMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final PiiPurgeMetrics metrics = new PiiPurgeMetrics(registry);
  private final Pipeline pipeline = TestPipelines.withPiiAndArchive("signups", "analytics");

  @Test
  void theLastSuccessfulTimeOfThePurgeCronJob() {
    metrics.record(
        pipeline,
        List.of(
            cronJob("signups-elt-run-daily", "2026-11-27T09:00:00Z", "2026-11-27T09:30:00Z"),
            cronJob("signups-pii-purge", "2026-11-01T00:00:00Z", "2026-11-27T03:16:40Z")));

    assertThat(registry.scrape())
        .contains(
            "insighthub_pipeline_pii_purge_last_success_timestamp_seconds{namespace=\"analytics\",pipeline=\"signups\"} 1.7957494E9");
  }

  @Test
  void beforeItsFirstSuccessTheCronJobsCreation() {
    metrics.record(pipeline, List.of(cronJob("signups-pii-purge", "2026-11-27T00:00:00Z", null)));

    assertThat(registry.scrape()).contains("pipeline=\"signups\"} 1.7957376E9");
  }

  @Test
  void withoutAPurgeCronJobTheGaugeIsDropped() {
    metrics.record(pipeline, List.of(cronJob("signups-pii-purge", "2026-11-27T00:00:00Z", null)));
    metrics.record(pipeline, List.of());

    assertThat(registry.scrape()).doesNotContain("insighthub_pipeline_pii_purge");
  }

  private static CronJob cronJob(String name, String created, String succeeded) {
    return new CronJobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("analytics")
        .withCreationTimestamp(created)
        .endMetadata()
        .withNewStatus()
        .withLastSuccessfulTime(succeeded)
        .endStatus()
        .build();
  }
}
