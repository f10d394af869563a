package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local node's Node object and its heartbeat, as a kubelet keeps them: registered Ready with
 * the declared capacity, then its Lease in {@code kube-node-lease} renewed every 10 s (the node
 * lifecycle controller marks a node whose Lease stops {@code Unknown} after 50 s and taints it
 * {@code NoExecute}, evicting its Pods), and its status posted again every minute. A Node deleted
 * meanwhile is registered again.
 */
final class NodeRegistration {
  static final int LEASE_SECONDS = 40;
  private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);

  private final KubernetesClient client;
  private final String name;
  private final NodeCapacity capacity;
  private final String version;
  private final String bootId = UUID.randomUUID().toString();
  private String uid;
  private Instant lastStatus = Instant.EPOCH;

  NodeRegistration(KubernetesClient client, String name, NodeCapacity capacity) {
    this.client = client;
    this.name = name;
    this.capacity = capacity;
    this.version = client.getKubernetesVersion().getGitVersion();
  }

  /** Creates (or takes over) the Node and its Lease. */
  void register() {
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(
                Map.of(
                    "kubernetes.io/hostname",
                    name,
                    "kubernetes.io/os",
                    "linux",
                    "kubernetes.io/arch",
                    arch(),
                    "beta.kubernetes.io/os",
                    "linux",
                    "beta.kubernetes.io/arch",
                    arch(),
                    LocalNode.LABEL,
                    "true"))
            .endMetadata()
            .build();
    Node created = client.nodes().resource(node).serverSideApply();
    uid = created.getMetadata().getUid();
    postStatus();
    renewLease();
    LOG.info(
        "node {} registered ({} cores, {} memory, {} pods)",
        name,
        capacity.cpu(),
        capacity.memory(),
        capacity.pods());
  }

  /** Renews the Lease, and posts the status every minute; registers again if the Node is gone. */
  void heartbeat() {
    try {
      if (client.nodes().withName(name).get() == null) {
        LOG.warn("node {} was deleted: registering it again", name);
        register();
        return;
      }
      renewLease();
      if (Instant.now().isAfter(lastStatus.plusSeconds(60))) {
        postStatus();
      }
    } catch (KubernetesClientException e) {
      LOG.debug("node {}: heartbeat failed ({}), retried", name, e.getMessage());
    }
  }

  void deregister() {
    try {
      client.leases().inNamespace("kube-node-lease").withName(name).delete();
      client.nodes().withName(name).delete();
    } catch (KubernetesClientException e) {
      LOG.debug("node {} not deleted: {}", name, e.getMessage());
    }
  }

  private void renewLease() {
    Lease lease =
        new LeaseBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("kube-node-lease")
            .addNewOwnerReference()
            .withApiVersion("v1")
            .withKind("Node")
            .withName(name)
            .withUid(uid)
            .endOwnerReference()
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity(name)
            .withLeaseDurationSeconds(LEASE_SECONDS)
            .withRenewTime(java.time.ZonedDateTime.now(ZoneOffset.UTC))
            .endSpec()
            .build();
    client.leases().resource(lease).forceConflicts().serverSideApply();
  }

  private void postStatus() {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    List<NodeCondition> conditions =
        List.of(
            condition(
                "MemoryPressure",
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
                now),
            condition(
                "DiskPressure",
                "False",
                "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure",
                now),
            condition(
                "PIDPressure",
                "False",
                "KubeletHasSufficientPID",
                "kubelet has sufficient PID available",
                now),
            condition(
                "Ready",
                "True",
                "KubeletReady",
                "the InsightHub local node runs Pods as local processes",
                now));
    Node node = client.nodes().withName(name).get();
    List<NodeCondition> previous =
        node == null || node.getStatus() == null || node.getStatus().getConditions() == null
            ? List.of()
            : node.getStatus().getConditions();
    var status = new NodeStatus();
    // A condition keeps its transition time while its status stays.
    for (NodeCondition c : conditions) {
      previous.stream()
          .filter(old -> old.getType().equals(c.getType()) && old.getStatus().equals(c.getStatus()))
          .findFirst()
          .ifPresent(old -> c.setLastTransitionTime(old.getLastTransitionTime()));
    }
    status.setConditions(conditions);
    status.setCapacity(capacity.quantities());
    status.setAllocatable(capacity.quantities());
    status.setAddresses(
        List.of(new NodeAddress(LocalNode.IP, "InternalIP"), new NodeAddress(name, "Hostname")));
    var info = new NodeSystemInfo();
    info.setKubeletVersion(version);
    info.setKubeProxyVersion("");
    info.setOperatingSystem("linux");
    info.setArchitecture(arch());
    info.setOsImage(osImage());
    info.setKernelVersion(System.getProperty("os.version"));
    info.setContainerRuntimeVersion("insighthub-local://1");
    info.setMachineID(bootId.replace("-", ""));
    info.setSystemUUID(bootId);
    info.setBootID(bootId);
    status.setNodeInfo(info);
    // A patch, as a kubelet posts it: the node lifecycle and other controllers write the Node
    // too, so a read-modify-write update would conflict with them.
    String patch = client.getKubernetesSerialization().asJson(Map.of("status", status));
    client
        .nodes()
        .withName(name)
        .subresource("status")
        .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
    lastStatus = Instant.now();
  }

  private static NodeCondition condition(
      String type, String status, String reason, String message, String now) {
    return new NodeConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastHeartbeatTime(now)
        .withLastTransitionTime(now)
        .build();
  }

  private static String arch() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }

  private static String osImage() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    } catch (IOException e) {
      // not Linux, or no os-release
    }
    return System.getProperty("os.name");
  }
}
