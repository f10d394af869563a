package io.insighthub.operator.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionMetricsTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ConditionMetrics metrics = new ConditionMetrics(registry);

  @Test
  void eachConditionIsAGaugeOfItsStatusAndADeletedResourceLeavesNone() {
    CdcSource source = named(new CdcSource(), "billing-db");
    Pipeline pipeline = named(new Pipeline(), "billing-db");
    metrics.record(
        source,
        List.of(
            Conditions.ok("ConnectorReady", "Running", "running"),
            Conditions.failed("ReplicationSlotHealthy", "SlotLagHigh", "lag 9Gi"),
            Conditions.unknown("Streaming", "NoEvents", "nothing yet")));
    metrics.record(pipeline, List.of(Conditions.ok("Ready", "AllReady", "ready")));

    assertThat(value("CdcSource", "ConnectorReady")).isEqualTo(1);
    assertThat(value("CdcSource", "ReplicationSlotHealthy")).isEqualTo(0);
    assertThat(value("CdcSource", "Streaming")).isEqualTo(-1);
    assertThat(value("Pipeline", "Ready")).isEqualTo(1);

    metrics.record(source, List.of(Conditions.failed("ConnectorReady", "Failed", "task failed")));
    assertThat(value("CdcSource", "ConnectorReady")).isEqualTo(0);

    metrics.forget(source);
    assertThat(registry.find(ConditionMetrics.NAME).tag("kind", "CdcSource").gauges()).isEmpty();
    assertThat(value("Pipeline", "Ready")).as("same name, other kind: kept").isEqualTo(1);
  }

  private double value(String kind, String condition) {
    return registry
        .get(ConditionMetrics.NAME)
        .tag("namespace", "data")
        .tag("kind", kind)
        .tag("name", "billing-db")
        .tag("condition", condition)
        .gauge()
        .value();
  }

  private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T named(
      T resource, String name) {
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("data").build());
    return resource;
  }
}
