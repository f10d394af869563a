package io.insighthub.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void readsTheDocumentedEnvironment() {
    OperatorConfig config =
        OperatorConfig.fromEnv(
            Map.of(
                "INSIGHTHUB_WATCH_NAMESPACES", "analytics, billing ,",
                "INSIGHTHUB_KAFKA_CLUSTER", "main",
                "INSIGHTHUB_WORKER_IMAGE", "registry.local/workers:1.2.3",
                "INSIGHTHUB_LEADER_ELECTION", "true",
                "INSIGHTHUB_NAMESPACE", "insighthub-system",
                "INSIGHTHUB_HTTP_PORT", "9090",
                "INSIGHTHUB_RECONCILE_THREADS", "32",
                "INSIGHTHUB_SLOT_CHECK_INTERVAL", "30s"));

    assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("analytics", "billing");
    assertThat(config.kafkaCluster()).isEqualTo("main");
    assertThat(config.workerImage()).isEqualTo("registry.local/workers:1.2.3");
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseNamespace()).isEqualTo("insighthub-system");
    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.reconcileThreads()).isEqualTo(32);
    assertThat(config.slotCheckInterval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aBadNumberOrDurationNamesTheVariable() {
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("INSIGHTHUB_RECONCILE_THREADS", "0")))
        .hasMessage("INSIGHTHUB_RECONCILE_THREADS must be a positive integer, got '0'");
    assertThatThrownBy(
            () -> OperatorConfig.fromEnv(Map.of("INSIGHTHUB_SLOT_CHECK_INTERVAL", "often")))
        .hasMessage(
            "INSIGHTHUB_SLOT_CHECK_INTERVAL must be a duration such as 30s or 1m, got 'often'");
  }

  @Test
  void defaultsWatchAllNamespacesWithoutLeaderElection() {
    OperatorConfig config = OperatorConfig.defaults();

    assertThat(config.watchNamespaces()).isEmpty();
    assertThat(config.kafkaCluster()).isNull();
    assertThat(config.leaderElection()).isFalse();
    assertThat(config.workerImage()).isEqualTo(OperatorConfig.DEFAULT_WORKER_IMAGE);
    assertThat(config.reconcileThreads()).isEqualTo(20);
    assertThat(config.slotCheckInterval()).isEqualTo(Duration.ofMinutes(1));
  }
}
