package io.insighthub.operator.freshness;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.v1alpha1.TableFreshness;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The freshness gauges as Prometheus scrapes them, and their removal with the Pipeline. */
class FreshnessMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final FreshnessMetrics metrics = new FreshnessMetrics(registry);

  @Test
  void exposesLagAndSlaPerTable() {
    metrics.record("analytics", "orders", List.of(table("VALIDATED.ORDERS", 43L, 120)));
    metrics.record("analytics", "orders", List.of(table("VALIDATED.ORDERS", 44L, 120)));

    assertThat(registry.scrape())
        .contains(
            "insighthub_pipeline_freshness_seconds{namespace=\"analytics\",pipeline=\"orders\",table=\"VALIDATED.ORDERS\"} 44.0")
        .contains(
            "insighthub_pipeline_sla_seconds{namespace=\"analytics\",pipeline=\"orders\",table=\"VALIDATED.ORDERS\"} 120.0");
  }

  @Test
  void aTableWithoutLoadsReportsMinusOne() {
    metrics.record("analytics", "orders", List.of(table("VALIDATED.ORDERS", null, 120)));

    assertThat(registry.scrape()).contains("table=\"VALIDATED.ORDERS\"} -1.0");
  }

  @Test
  void forgettingAPipelineRemovesOnlyItsGauges() {
    metrics.record("analytics", "orders", List.of(table("VALIDATED.ORDERS", 1L, 120)));
    metrics.record("analytics", "billing", List.of(table("VALIDATED.INVOICES", 2L, 120)));

    metrics.forget("analytics", "orders");

    assertThat(registry.scrape()).doesNotContain("VALIDATED.ORDERS").contains("VALIDATED.INVOICES");
  }

  @Test
  void aTableNoLongerListedLosesItsGauges() {
    metrics.record(
        "analytics",
        "orders",
        List.of(table("VALIDATED.ORDERS", 1L, 120), table("CURATED.DAILY", 5L, 1800)));
    metrics.record("analytics", "orders", List.of(table("VALIDATED.ORDERS", 2L, 120)));

    assertThat(registry.scrape()).doesNotContain("CURATED.DAILY").contains("VALIDATED.ORDERS");
  }

  private static TableFreshness table(String name, Long lag, long sla) {
    TableFreshness table = new TableFreshness();
    table.table = name;
    table.lagSeconds = lag;
    table.slaSeconds = sla;
    return table;
  }
}
