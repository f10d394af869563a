package io.insighthub.operator.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.cdc.CdcSourceReconciler;
import io.insighthub.operator.freshness.FreshnessTracking;
import io.insighthub.operator.pipeline.PipelineReconciler;
import io.insighthub.operator.quality.QualityRuleReconciler;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/** Wires the operator by hand: one JOSDK Operator with every InsightHub reconciler registered. */
public final class InsightHubOperator {
  public static final String LEASE_NAME = "insighthub-operator";

  private InsightHubOperator() {}

  /** An operator, not yet started, on {@code client}; the caller owns and closes the client. */
  public static Operator create(
      KubernetesClient client, OperatorConfig config, Metrics metrics, Clock clock) {
    return create(client, config, metrics, clock, () -> {}, FreshnessTracking.disabled());
  }

  /** An operator, not yet started, tracking freshness through {@code freshness}. */
  public static Operator create(
      KubernetesClient client,
      OperatorConfig config,
      Metrics metrics,
      Clock clock,
      FreshnessTracking freshness) {
    return create(client, config, metrics, clock, () -> {}, freshness);
  }

  /**
   * @param onLostLeadership runs when another replica took the Lease over; the process should exit
   *     (JOSDK's own exit would call System.exit from within a shutdown hook and hang it)
   * @param freshness the watermark consumer and store the reconcilers report freshness from; its
   *     consumer runs while the controllers' event sources run
   */
  public static Operator create(
      KubernetesClient client,
      OperatorConfig config,
      Metrics metrics,
      Clock clock,
      Runnable onLostLeadership,
      FreshnessTracking freshness) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withMetrics(metrics)
                  // Every child, ConfigMaps included, is server-side applied by one field manager.
                  .withDefaultNonSSAResource(Set.of())
                  .withConcurrentReconciliationThreads(config.reconcileThreads())
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(20));
              if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
                        .withLeaseNamespace(config.leaseNamespace())
                        .withIdentity(config.leaseIdentity())
                        .withExitOnStopLeading(false)
                        .withLeaderCallbacks(
                            new LeaderCallbacks(() -> {}, onLostLeadership, leader -> {}))
                        .build());
              }
            });
    operator.register(
        new PipelineReconciler(config, clock, freshness), o -> watchedNamespaces(o, config));
    operator.register(
        new QualityRuleReconciler(clock, freshness), o -> watchedNamespaces(o, config));
    operator.register(
        new CdcSourceReconciler(config, clock, freshness), o -> watchedNamespaces(o, config));
    return operator;
  }

  private static <R extends HasMetadata> void watchedNamespaces(
      ControllerConfigurationOverrider<R> overrider, OperatorConfig config) {
    if (config.watchNamespaces().isEmpty()) {
      overrider.watchingAllNamespaces();
    } else {
      overrider.settingNamespaces(config.watchNamespaces());
    }
  }
}
