package io.insighthub.e2e.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status a kubelet writes for a Pod, computed from its runner: phase by the kubelet's rules (a
 * deleted Pod ends Succeeded or Failed), the conditions PodReadyToStartContainers, Initialized,
 * ContainersReady and Ready (each keeping its lastTransitionTime until its status changes; the
 * scheduler's PodScheduled is left alone), container statuses, start time and the Pod's address
 * (the host's loopback). A failed Pod's message names the failing containers and their log files.
 * Written as a strategic merge patch of the status, only when it changed.
 */
final class PodStatuses {
  static final Set<String> TERMINAL = Set.of("Succeeded", "Failed");
  private static final Logger LOG = LoggerFactory.getLogger(PodStatuses.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final PodRunner runner;
  private final Map<String, String[]> transitions = new HashMap<>();
  private String written;

  PodStatuses(KubernetesClient client, PodRunner runner) {
    this.client = client;
    this.runner = runner;
  }

  /** Writes the status if it changed; false when the write failed (retried at the next sync). */
  boolean write() {
    if (runner.untouched()) {
      return true;
    }
    ObjectNode status = status();
    String patch = JSON.createObjectNode().set("status", status).toString();
    if (patch.equals(written)) {
      return true;
    }
    var pod = runner.pod();
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .subresource("status")
          .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
      written = patch;
      return true;
    } catch (RuntimeException e) {
      LOG.debug("pod {}: status not written ({}), retried", runner.key(), e.getMessage());
      return false;
    }
  }

  String phase() {
    List<ContainerRun> containers = runner.containers();
    long running = containers.stream().filter(ContainerRun::running).count();
    if (runner.failedReason() != null) {
      return running > 0 ? "Running" : "Failed";
    }
    long succeeded = containers.stream().filter(c -> c.exitedWith(0)).count();
    long stopped = containers.stream().filter(c -> c.terminated() || c.lastState != null).count();
    long waiting = containers.size() - running - stopped;
    if (runner.deleting() && running == 0) {
      return succeeded == containers.size() ? "Succeeded" : "Failed";
    }
    if (!runner.initialized() || waiting > 0) {
      return "Pending";
    }
    if (running > 0) {
      return "Running";
    }
    String policy = runner.restartPolicy();
    if (stopped > 0) {
      if (policy.equals("Always")) {
        return "Running";
      }
      if (stopped == succeeded && containers.stream().allMatch(ContainerRun::terminated)) {
        return "Succeeded";
      }
      return policy.equals("OnFailure") || containers.stream().anyMatch(c -> c.restartAt != null)
          ? "Running"
          : "Failed";
    }
    return "Pending";
  }

  private ObjectNode status() {
    var pod = runner.pod();
    String phase = phase();
    boolean terminal = TERMINAL.contains(phase);
    List<ContainerRun> containers = runner.containers();
    List<String> unready =
        containers.stream().filter(c -> !c.ready).map(c -> c.spec.getName()).toList();
    List<String> incompleteInit =
        runner.initContainers().stream()
            .filter(c -> !c.exitedWith(0))
            .map(c -> c.spec.getName())
            .toList();

    ArrayNode conditions = JSON.createArrayNode();
    conditions.add(
        condition("PodReadyToStartContainers", runner.volumesReady() && !terminal, null, null));
    conditions.add(
        condition(
            "Initialized",
            incompleteInit.isEmpty(),
            incompleteInit.isEmpty() ? null : "ContainersNotInitialized",
            incompleteInit.isEmpty()
                ? null
                : "containers with incomplete status: " + brackets(incompleteInit)));
    String notReadyReason = phase.equals("Succeeded") ? "PodCompleted" : "ContainersNotReady";
    String notReadyMessage =
        phase.equals("Succeeded") ? null : "containers with unready status: " + brackets(unready);
    boolean containersReady = unready.isEmpty() && !terminal;
    conditions.add(
        condition(
            "ContainersReady",
            containersReady,
            containersReady ? null : notReadyReason,
            containersReady ? null : notReadyMessage));
    List<String> gates = unmetReadinessGates();
    boolean ready = containersReady && gates.isEmpty();
    conditions.add(
        condition(
            "Ready",
            ready,
            ready ? null : containersReady ? "ReadinessGatesNotReady" : notReadyReason,
            ready
                ? null
                : containersReady
                    ? "corresponding condition of pod readiness gate "
                        + brackets(gates)
                        + " does not exist."
                    : notReadyMessage));

    ObjectNode status = JSON.createObjectNode();
    status.put("phase", phase);
    status.set("conditions", conditions);
    status.put("hostIP", LocalNode.IP);
    status.set("hostIPs", ips());
    status.put("podIP", LocalNode.IP);
    status.set("podIPs", ips());
    if (runner.startTime() != null) {
      status.put("startTime", ContainerRun.time(runner.startTime()));
    }
    if (pod.getMetadata().getGeneration() != null) {
      status.put("observedGeneration", pod.getMetadata().getGeneration());
    }
    status.set(
        "containerStatuses",
        JSON.valueToTree(containers.stream().map(ContainerRun::status).toList()));
    if (!runner.initContainers().isEmpty()) {
      status.set(
          "initContainerStatuses",
          JSON.valueToTree(runner.initContainers().stream().map(ContainerRun::status).toList()));
    }
    String reason = runner.failedReason();
    String message = runner.failedMessage();
    if (reason == null && phase.equals("Failed") && !runner.deleting()) {
      message =
          containers.stream()
              .filter(c -> c.terminated() && !c.exitedWith(0))
              .map(c -> runner.exitMessage(c, c.state.getTerminated().getExitCode()))
              .collect(Collectors.joining("; "));
    }
    // Explicit nulls: a strategic merge patch removes what an earlier status said.
    status.put("reason", reason);
    status.put("message", message == null || message.isEmpty() ? null : message);
    return status;
  }

  private List<String> unmetReadinessGates() {
    var pod = runner.pod();
    List<PodReadinessGate> gates =
        Optional.ofNullable(pod.getSpec().getReadinessGates()).orElse(List.of());
    List<PodCondition> current =
        pod.getStatus() == null || pod.getStatus().getConditions() == null
            ? List.of()
            : pod.getStatus().getConditions();
    return gates.stream()
        .map(PodReadinessGate::getConditionType)
        .filter(
            type ->
                current.stream()
                    .noneMatch(c -> c.getType().equals(type) && "True".equals(c.getStatus())))
        .toList();
  }

  private ObjectNode condition(String type, boolean value, String reason, String message) {
    String status = value ? "True" : "False";
    String[] last = transitions.get(type);
    if (last == null || !last[0].equals(status)) {
      last = new String[] {status, ContainerRun.time(Instant.now())};
      transitions.put(type, last);
    }
    ObjectNode node = JSON.createObjectNode();
    node.put("type", type);
    node.put("status", status);
    node.put("lastTransitionTime", last[1]);
    node.putNull("lastProbeTime");
    node.put("reason", reason);
    node.put("message", message);
    Long generation = runner.pod().getMetadata().getGeneration();
    if (generation != null) {
      node.put("observedGeneration", generation);
    }
    return node;
  }

  private static ArrayNode ips() {
    ArrayNode ips = JSON.createArrayNode();
    ips.addObject().put("ip", LocalNode.IP);
    return ips;
  }

  private static String brackets(List<String> names) {
    return "[" + String.join(" ", names) + "]";
  }
}
