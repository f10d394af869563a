package io.insighthub.operator;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.insighthub.operator.common.Durations;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, read once from the environment: watched namespaces, Kafka and worker
 * defaults applied to every Pipeline, leader election and the HTTP port.
 *
 * @param watchNamespaces namespaces to watch; empty means all namespaces
 * @param kafkaCluster Strimzi Kafka cluster used when a Pipeline sets no spec.kafka.cluster
 * @param kafkaBootstrapServers bootstrap servers for the workers; derived from the cluster if null
 * @param workerImage image of the runtime workers
 * @param workerResources resources of a worker when the Pipeline sets none
 * @param postgresClientImage image with psql, for the Job that drops a CdcSource's slot
 * @param leaderElection whether to elect a leader before reconciling
 * @param leaseNamespace namespace of the leader-election Lease (the operator's own)
 * @param leaseIdentity this replica's name in the Lease (POD_NAME, else HOSTNAME)
 * @param httpPort port of the /healthz, /readyz and /metrics server
 * @param reconcileThreads reconciles running at once, over all controllers
 * @param slotCheckInterval how often a CdcSource's replication slot lag is measured
 */
public record OperatorConfig(
    Set<String> watchNamespaces,
    String kafkaCluster,
    String kafkaBootstrapServers,
    String workerImage,
    ResourceRequirements workerResources,
    String postgresClientImage,
    boolean leaderElection,
    String leaseNamespace,
    String leaseIdentity,
    int httpPort,
    int reconcileThreads,
    Duration slotCheckInterval) {

  public static final String FIELD_MANAGER = "insighthub-operator";
  public static final String DEFAULT_WORKER_IMAGE = "ghcr.io/insighthub/runtime-workers:0.1.0";
  public static final String DEFAULT_POSTGRES_CLIENT_IMAGE = "postgres:17-alpine";

  /** The defaults: all namespaces, no default Kafka cluster, leader election off. */
  public static OperatorConfig defaults() {
    return fromEnv(Map.of());
  }

  /** Reads the INSIGHTHUB_* variables documented in README.md. */
  public static OperatorConfig fromEnv(Map<String, String> env) {
    Set<String> namespaces =
        Arrays.stream(env.getOrDefault("INSIGHTHUB_WATCH_NAMESPACES", "").split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
    return new OperatorConfig(
        namespaces,
        blankToNull(env.get("INSIGHTHUB_KAFKA_CLUSTER")),
        blankToNull(env.get("INSIGHTHUB_KAFKA_BOOTSTRAP_SERVERS")),
        Optional.ofNullable(blankToNull(env.get("INSIGHTHUB_WORKER_IMAGE")))
            .orElse(DEFAULT_WORKER_IMAGE),
        new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity(env.getOrDefault("INSIGHTHUB_WORKER_CPU", "500m")))
            .addToRequests(
                "memory", new Quantity(env.getOrDefault("INSIGHTHUB_WORKER_MEMORY", "1Gi")))
            .addToLimits(
                "memory", new Quantity(env.getOrDefault("INSIGHTHUB_WORKER_MEMORY", "1Gi")))
            .build(),
        Optional.ofNullable(blankToNull(env.get("INSIGHTHUB_POSTGRES_CLIENT_IMAGE")))
            .orElse(DEFAULT_POSTGRES_CLIENT_IMAGE),
        Boolean.parseBoolean(env.getOrDefault("INSIGHTHUB_LEADER_ELECTION", "false")),
        blankToNull(env.get("INSIGHTHUB_NAMESPACE")),
        Optional.ofNullable(blankToNull(env.get("POD_NAME")))
            .or(() -> Optional.ofNullable(blankToNull(env.get("HOSTNAME"))))
            .orElse("insighthub-operator-" + ProcessHandle.current().pid()),
        Integer.parseInt(env.getOrDefault("INSIGHTHUB_HTTP_PORT", "8080")),
        positive(env, "INSIGHTHUB_RECONCILE_THREADS", "20"),
        duration(env, "INSIGHTHUB_SLOT_CHECK_INTERVAL", "1m"));
  }

  /** The same settings with another default Kafka cluster. */
  public OperatorConfig withKafkaCluster(String cluster) {
    return new OperatorConfig(
        watchNamespaces,
        cluster,
        kafkaBootstrapServers,
        workerImage,
        workerResources,
        postgresClientImage,
        leaderElection,
        leaseNamespace,
        leaseIdentity,
        httpPort,
        reconcileThreads,
        slotCheckInterval);
  }

  /** The same settings watching only {@code namespaces}. */
  public OperatorConfig withWatchNamespaces(Set<String> namespaces) {
    return new OperatorConfig(
        Set.copyOf(namespaces),
        kafkaCluster,
        kafkaBootstrapServers,
        workerImage,
        workerResources,
        postgresClientImage,
        leaderElection,
        leaseNamespace,
        leaseIdentity,
        httpPort,
        reconcileThreads,
        slotCheckInterval);
  }

  /** The same settings measuring replication slots every {@code interval}. */
  public OperatorConfig withSlotCheckInterval(Duration interval) {
    return new OperatorConfig(
        watchNamespaces,
        kafkaCluster,
        kafkaBootstrapServers,
        workerImage,
        workerResources,
        postgresClientImage,
        leaderElection,
        leaseNamespace,
        leaseIdentity,
        httpPort,
        reconcileThreads,
        interval);
  }

  private static int positive(Map<String, String> env, String name, String fallback) {
    String value = env.getOrDefault(name, fallback).strip();
    try {
      int parsed = Integer.parseInt(value);
      if (parsed > 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + " must be a positive integer, got '" + value + "'");
  }

  private static Duration duration(Map<String, String> env, String name, String fallback) {
    String value = env.getOrDefault(name, fallback).strip();
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          name + " must be a duration such as 30s or 1m, got '" + value + "'", e);
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
