package io.insighthub.workers.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** When cdc-load may say its tables are complete as of a heartbeat. */
class CdcCompletenessTest {
  static final Instant T = Instant.parse("2026-11-27T03:00:00Z");
  static final TopicPartition PLANS = new TopicPartition("shop.public.plans", 0);
  static final TopicPartition ORDERS = new TopicPartition("shop.public.orders", 0);

  final CdcCompleteness completeness = new CdcCompleteness();

  @Test
  void aHeartbeatIsProvenOnceEveryTopicIsCommittedUpToItsEndOffsets() {
    completeness.heartbeat(T);
    assertThat(completeness.needsTargets()).isTrue();
    completeness.target(Map.of(PLANS, 10L, ORDERS, 0L));
    assertThat(completeness.needsTargets()).isFalse();

    assertThat(completeness.applied(Map.of(PLANS, 9L))).isEmpty();
    assertThat(completeness.applied(Map.of(PLANS, 10L))).contains(T.minus(CdcCompleteness.MARGIN));
    // Proven once: the same positions prove nothing more.
    assertThat(completeness.applied(Map.of(PLANS, 10L))).isEmpty();
  }

  @Test
  void aPartitionNotCommittedAtAllIsNotComplete() {
    completeness.heartbeat(T);
    completeness.target(Map.of(PLANS, 10L, ORDERS, 3L));
    assertThat(completeness.applied(Map.of(PLANS, 10L))).isEmpty();
    assertThat(completeness.applied(Map.of(PLANS, 10L, ORDERS, 3L))).isPresent();
  }

  @Test
  void heartbeatsReadWhileOneIsPendingCollapseIntoTheNewestWithItsOwnTargets() {
    completeness.heartbeat(T);
    completeness.target(Map.of(PLANS, 10L));
    completeness.heartbeat(T.plusSeconds(10));
    completeness.heartbeat(T.plusSeconds(20));
    completeness.heartbeat(T.plusSeconds(5));
    assertThat(completeness.needsTargets()).as("one heartbeat proven at a time").isFalse();

    assertThat(completeness.applied(Map.of(PLANS, 10L))).contains(T.minus(CdcCompleteness.MARGIN));
    assertThat(completeness.needsTargets()).isTrue();
    completeness.target(Map.of(PLANS, 25L));
    assertThat(completeness.applied(Map.of(PLANS, 10L))).isEmpty();
    assertThat(completeness.applied(Map.of(PLANS, 25L)))
        .contains(T.plusSeconds(20).minus(CdcCompleteness.MARGIN));
  }

  @Test
  void aHeartbeatNoNewerThanTheLastProvenOneIsIgnored() {
    completeness.heartbeat(T);
    completeness.target(Map.of());
    assertThat(completeness.applied(Map.of())).isPresent();
    completeness.heartbeat(T);
    completeness.heartbeat(T.minusSeconds(1));
    assertThat(completeness.needsTargets()).isFalse();
    assertThatThrownBy(() -> completeness.target(Map.of()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theConnectorsLagOnChangesSinceTheLastProvenHeartbeatIsTakenOff() {
    completeness.heartbeat(T);
    completeness.target(Map.of(PLANS, 1L));
    // The connector wrote a change 30 s after its commit: it was working through a backlog.
    completeness.observe(T.minusSeconds(1).toEpochMilli(), 30_000);
    assertThat(completeness.applied(Map.of(PLANS, 1L)))
        .contains(T.minusSeconds(30).minus(CdcCompleteness.MARGIN));

    // A lag shown before the proven heartbeat no longer counts; one after it does.
    completeness.observe(T.minusSeconds(5).toEpochMilli(), 60_000);
    completeness.observe(T.plusSeconds(3).toEpochMilli(), 4_000);
    completeness.heartbeat(T.plusSeconds(10));
    completeness.target(Map.of(PLANS, 2L));
    assertThat(completeness.applied(Map.of(PLANS, 2L)))
        .contains(T.plusSeconds(10).minusSeconds(4).minus(CdcCompleteness.MARGIN));

    // Nothing written since: the connector kept up.
    completeness.heartbeat(T.plusSeconds(20));
    completeness.target(Map.of(PLANS, 2L));
    assertThat(completeness.applied(Map.of(PLANS, 2L)))
        .contains(T.plusSeconds(20).minus(CdcCompleteness.MARGIN));
  }

  @Test
  void heartbeatValuesWithAndWithoutSchemas() {
    assertThat(
            CdcHeartbeats.time(
                "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,"
                    + "\"field\":\"ts_ms\"}],\"optional\":false,"
                    + "\"name\":\"io.debezium.connector.common.Heartbeat\"},"
                    + "\"payload\":{\"ts_ms\":1795834800000}}"))
        .isEqualTo(Instant.ofEpochMilli(1795834800000L));
    assertThat(CdcHeartbeats.time("{\"ts_ms\":1795834800000}"))
        .isEqualTo(Instant.ofEpochMilli(1795834800000L));
    assertThat(CdcHeartbeats.time("{\"payload\":{}}")).isNull();
    assertThat(CdcHeartbeats.time("not json")).isNull();
    assertThat(CdcHeartbeats.time(null)).isNull();
  }
}
