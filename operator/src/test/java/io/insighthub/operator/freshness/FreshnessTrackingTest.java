package io.insighthub.operator.freshness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.worker.Watermark;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings from the environment, and since when a resource is expected to load. */
class FreshnessTrackingTest {
  static final Instant CREATED = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void theWatermarkAddressFallsBackToTheWorkersBootstrapServersAndIsOffWithoutEither() {
    var registry = new SimpleMeterRegistry();
    assertThat(FreshnessTracking.fromEnv(Map.of(), registry).enabled()).isFalse();
    var workers =
        FreshnessTracking.fromEnv(Map.of("INSIGHTHUB_KAFKA_BOOTSTRAP_SERVERS", "k:9092"), registry);
    assertThat(workers.enabled()).isTrue();
    assertThat(workers.interval()).isEqualTo(FreshnessTracking.DEFAULT_INTERVAL);
    var own =
        FreshnessTracking.fromEnv(
            Map.of(
                "INSIGHTHUB_WATERMARK_BOOTSTRAP_SERVERS", "w:9092",
                "INSIGHTHUB_FRESHNESS_INTERVAL", "30s"),
            registry);
    assertThat(own.interval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aBadIntervalNamesTheVariable() {
    assertThatThrownBy(
            () ->
                FreshnessTracking.fromEnv(
                    Map.of("INSIGHTHUB_FRESHNESS_INTERVAL", "soon"), new SimpleMeterRegistry()))
        .hasMessageContaining("INSIGHTHUB_FRESHNESS_INTERVAL")
        .hasMessageContaining("soon");
    assertThatThrownBy(
            () ->
                FreshnessTracking.fromEnv(
                    Map.of("INSIGHTHUB_FRESHNESS_INTERVAL", "0s"), new SimpleMeterRegistry()))
        .hasMessageContaining("must be positive");
  }

  @Test
  void aResumeRestartsTheWaitAndHidesLoadsFromBefore() {
    FreshnessTracking tracking = FreshnessTracking.disabled();
    Pipeline pipeline = new Pipeline();
    pipeline.setMetadata(
        new ObjectMetaBuilder()
            .withName("clicks")
            .withNamespace("analytics")
            .withCreationTimestamp(CREATED.toString())
            .build());
    Instant t1 = CREATED.plusSeconds(600);
    assertThat(tracking.since(pipeline, false, false, t1)).isEqualTo(CREATED);
    assertThat(tracking.since(pipeline, true, false, t1.plusSeconds(10))).isEqualTo(CREATED);
    Instant resumed = t1.plusSeconds(20);
    assertThat(tracking.since(pipeline, false, false, resumed)).isEqualTo(resumed);
    assertThat(tracking.since(pipeline, false, false, resumed.plusSeconds(5))).isEqualTo(resumed);

    tracking
        .store()
        .offer(new Watermark("analytics", "clicks", "V.OLD", t1, t1.plusSeconds(5), 1, 0));
    tracking
        .store()
        .offer(new Watermark("analytics", "clicks", "V.NEW", t1, resumed.plusSeconds(1), 1, 0));
    assertThat(tracking.latest("analytics", "clicks", List.of("V.OLD", "V.NEW"), resumed))
        .containsOnlyKeys("V.NEW");
  }
}
