package io.insighthub.e2e.adapter;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.insighthub.e2e.connect.KafkaConnect;
import io.strimzi.api.kafka.Crds;
import io.strimzi.api.kafka.model.common.Condition;
import io.strimzi.api.kafka.model.connector.AutoRestartStatus;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.connector.KafkaConnectorStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-bed stand-in for Strimzi's connector operator: realizes {@code KafkaConnector} resources on
 * a real Kafka Connect worker through its REST API and reports Connect's view in their status, as
 * Strimzi would. The Secrets a config references as {@code ${secrets:<ns>/<name>:<key>}} are made
 * resolvable to the worker's config provider; {@code spec.state} stops, pauses and resumes the
 * connector; with {@code autoRestart.enabled}, a failed connector or task is restarted with a
 * growing back-off. Lives only under e2e/.
 */
public final class KafkaConnectorAdapter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaConnectorAdapter.class);
  private static final Pattern SECRET_REFERENCE =
      Pattern.compile("\\$\\{secrets:([a-z0-9.-]+)/([a-z0-9.-]+):[^}]+}");
  private static final Duration TICK = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final KafkaConnect connect;
  private final SharedIndexInformer<KafkaConnector> informer;
  private final ScheduledExecutorService loop;
  private final Map<String, Integer> restarts = new ConcurrentHashMap<>();
  private final Map<String, Instant> nextRestart = new ConcurrentHashMap<>();
  private final Set<String> realized = new HashSet<>();

  private KafkaConnectorAdapter(KubernetesClient client, KafkaConnect connect, String namespace) {
    this.client = client;
    this.connect = connect;
    var connectors = Crds.kafkaConnectorOperation(client);
    this.informer =
        (namespace == null ? connectors.inAnyNamespace() : connectors.inNamespace(namespace))
            .inform();
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kafka-connector-adapter");
              t.setDaemon(true);
              return t;
            });
    loop.scheduleWithFixedDelay(this::syncAll, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts realizing the KafkaConnectors of {@code namespace} (all when null) on {@code connect}.
   */
  public static KafkaConnectorAdapter start(
      KubernetesClient client, KafkaConnect connect, String namespace) {
    return new KafkaConnectorAdapter(client, connect, namespace);
  }

  private synchronized void syncAll() {
    Set<String> present = new HashSet<>();
    for (KafkaConnector connector : informer.getStore().list()) {
      String name = connector.getMetadata().getName();
      present.add(name);
      try {
        sync(connector);
      } catch (RuntimeException e) {
        LOG.debug("connector {} not synced this pass: {}", name, e.getMessage());
      }
    }
    for (String name : Set.copyOf(realized)) {
      if (!present.contains(name)) {
        try {
          connect.deleteConnector(name);
          LOG.info("KafkaConnector {} deleted: connector removed from Connect", name);
          realized.remove(name);
        } catch (RuntimeException e) {
          LOG.debug("connector {} not deleted yet: {}", name, e.getMessage());
        }
      }
    }
  }

  private void sync(KafkaConnector connector) {
    String name = connector.getMetadata().getName();
    var spec = connector.getSpec();
    Map<String, String> desired = new LinkedHashMap<>();
    Optional.ofNullable(spec.getConfig())
        .orElse(Map.of())
        .forEach((k, v) -> desired.put(k, String.valueOf(v)));
    desired.put("connector.class", spec.getClassName());
    desired.put("tasks.max", String.valueOf(Objects.requireNonNullElse(spec.getTasksMax(), 1)));
    desired.put("name", name);

    Condition ready;
    Map<String, Object> status = null;
    try {
      mirrorSecrets(desired);
      if (!desired.equals(connect.connectorConfig(name))) {
        connect.putConnector(name, desired);
        LOG.info("KafkaConnector {} applied to Kafka Connect", name);
      }
      realized.add(name);
      status = connect.connectorStatus(name);
      String wanted = spec.getState() == null ? "running" : spec.getState().toValue();
      String actual = state(status);
      if (actual != null && !matches(wanted, actual)) {
        connect.setState(name, wanted);
      }
      restartIfFailed(connector, status);
      ready = StrimziStatus.ready("True", null, null);
    } catch (RuntimeException e) {
      ready = StrimziStatus.ready("False", "ConnectRestException", e.getMessage());
    }
    writeStatus(connector, ready, status);
  }

  /** Strimzi's auto-restart: failed connector or tasks restarted, back-off 1s, 2s, ... 60s. */
  private void restartIfFailed(KafkaConnector connector, Map<String, Object> status) {
    String name = connector.getMetadata().getName();
    boolean enabled =
        connector.getSpec().getAutoRestart() != null
            && connector.getSpec().getAutoRestart().isEnabled();
    if (!enabled || status == null || !failed(status)) {
      return;
    }
    if (Instant.now().isBefore(nextRestart.getOrDefault(name, Instant.MIN))) {
      return;
    }
    int count = restarts.merge(name, 1, Integer::sum);
    nextRestart.put(name, Instant.now().plusSeconds(Math.min(60, 1L << Math.min(count, 6))));
    LOG.warn("KafkaConnector {} failed: auto-restart #{}", name, count);
    connect.restartFailed(name);
  }

  private void mirrorSecrets(Map<String, String> config) {
    Set<String> mirrored = new HashSet<>();
    for (String value : config.values()) {
      Matcher m = SECRET_REFERENCE.matcher(value);
      while (m.find()) {
        String namespace = m.group(1);
        String secretName = m.group(2);
        if (!mirrored.add(namespace + "/" + secretName)) {
          continue;
        }
        Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null) {
          throw new IllegalStateException(
              "Secret " + namespace + "/" + secretName + " referenced by the config not found");
        }
        connect.putSecret(namespace, secretName, StrimziStatus.decoded(secret));
      }
    }
  }

  private void writeStatus(
      KafkaConnector connector, Condition ready, Map<String, Object> connectorStatus) {
    KafkaConnectorStatus status = new KafkaConnectorStatus();
    status.setObservedGeneration(connector.getMetadata().getGeneration());
    status.setConnectorStatus(connectorStatus);
    status.setTasksMax(Objects.requireNonNullElse(connector.getSpec().getTasksMax(), 1));
    Integer count = restarts.get(connector.getMetadata().getName());
    if (count != null) {
      AutoRestartStatus autoRestart = new AutoRestartStatus();
      autoRestart.setCount(count);
      autoRestart.setConnectorName(connector.getMetadata().getName());
      status.setAutoRestart(autoRestart);
    }
    KafkaConnectorStatus current = connector.getStatus();
    if (current != null && current.getConditions() != null && current.getConditions().size() == 1) {
      Condition previous = current.getConditions().get(0);
      if (Objects.equals(previous.getStatus(), ready.getStatus())) {
        ready.setLastTransitionTime(previous.getLastTransitionTime());
      }
    }
    status.setConditions(List.of(ready));
    if (current != null
        && Objects.equals(current.getObservedGeneration(), status.getObservedGeneration())
        && Objects.equals(current.getConnectorStatus(), status.getConnectorStatus())
        && Objects.equals(
            current.getAutoRestart() == null ? null : current.getAutoRestart().getCount(), count)
        && current.getConditions() != null
        && current.getConditions().size() == 1
        && Objects.equals(current.getConditions().get(0).getStatus(), ready.getStatus())
        && Objects.equals(current.getConditions().get(0).getMessage(), ready.getMessage())) {
      return;
    }
    KafkaConnector copy = Serialization.clone(connector);
    copy.setStatus(status);
    try {
      Crds.kafkaConnectorOperation(client).resource(copy).updateStatus();
    } catch (KubernetesClientException e) {
      LOG.debug(
          "status of KafkaConnector {} not written ({})",
          connector.getMetadata().getName(),
          e.getCode());
    }
  }

  @SuppressWarnings("unchecked")
  private static String state(Map<String, Object> status) {
    if (status == null || !(status.get("connector") instanceof Map<?, ?> connector)) {
      return null;
    }
    return Objects.toString(((Map<String, Object>) connector).get("state"), null);
  }

  @SuppressWarnings("unchecked")
  private static boolean failed(Map<String, Object> status) {
    if ("FAILED".equals(state(status))) {
      return true;
    }
    Object tasks = status.get("tasks");
    return tasks instanceof List<?> list
        && list.stream()
            .anyMatch(
                t ->
                    t instanceof Map<?, ?> m
                        && "FAILED".equals(((Map<String, Object>) m).get("state")));
  }

  private static boolean matches(String wanted, String actual) {
    return switch (wanted) {
      case "paused" -> actual.equals("PAUSED");
      case "stopped" -> actual.equals("STOPPED");
      default -> !actual.equals("PAUSED") && !actual.equals("STOPPED");
    };
  }

  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    informer.close();
  }
}
