package io.insighthub.e2e.node;

import static io.insighthub.e2e.node.TestImages.container;
import static io.insighthub.e2e.node.TestImages.pod;
import static io.insighthub.e2e.node.TestImages.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local node on the real control plane: the scheduler binds Pods to it, and it runs them as
 * processes that see their Pod's environment and volumes, probes them, restarts them by policy,
 * stops them on deletion and reports all of it in Pod status as a kubelet would.
 */
@ExtendWith(KubeApiServerExtension.class)
class LocalNodeIT {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static LocalNode node;
  private static KubernetesClient client;
  private static String ns;

  @BeforeAll
  static void startNode(KubernetesClient kube, TestNamespace namespace) {
    client = kube;
    ns = namespace.name();
    node = TestImages.node(client, "local-node-it");
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aPodSeesItsEnvironmentVolumesAndDownwardApiAndSucceeds() throws Exception {
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("report-config")
                .withNamespace(ns)
                .endMetadata()
                .withData(
                    Map.of(
                        "config.json", "{\"keyFile\": \"/var/run/secrets/report/token\"}",
                        "MODE", "strict"))
                .build())
        .create();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("report-secret")
                .withNamespace(ns)
                .endMetadata()
                .withStringData(Map.of("token", "s3cr3t", "other", "not mounted"))
                .build())
        .create();
    PodSpec spec =
        spec(
            "Never",
            container(
                    "report",
                    "report",
                    "/etc/report/config.json",
                    "/var/run/secrets/report/token",
                    "/etc/podinfo/labels",
                    "/etc/podinfo/mem")
                .addNewEnv()
                .withName("STATE_DIR")
                .withValue("/var/lib/report")
                .endEnv()
                .addNewEnv()
                .withName("STATE_FILE")
                .withValue("$(STATE_DIR)/state.db")
                .endEnv()
                .addNewEnv()
                .withName("POD_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .addNewEnv()
                .withName("TOKEN")
                .withNewValueFrom()
                .withNewSecretKeyRef()
                .withName("report-secret")
                .withKey("token")
                .endSecretKeyRef()
                .endValueFrom()
                .endEnv()
                .addNewEnvFrom()
                .withPrefix("CM_")
                .withNewConfigMapRef()
                .withName("report-config")
                .endConfigMapRef()
                .endEnvFrom()
                .addNewVolumeMount()
                .withName("config")
                .withMountPath("/etc/report")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("token")
                .withMountPath("/var/run/secrets/report")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("state")
                .withMountPath("/var/lib/report")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("podinfo")
                .withMountPath("/etc/podinfo")
                .endVolumeMount());
    spec.setVolumes(
        List.of(
            new VolumeBuilder()
                .withName("config")
                .withNewConfigMap()
                .withName("report-config")
                .endConfigMap()
                .build(),
            new VolumeBuilder()
                .withName("token")
                .withNewSecret()
                .withSecretName("report-secret")
                .addNewItem()
                .withKey("token")
                .withPath("token")
                .endItem()
                .endSecret()
                .build(),
            new VolumeBuilder().withName("state").withNewEmptyDir().endEmptyDir().build(),
            new VolumeBuilder()
                .withName("podinfo")
                .withNewDownwardAPI()
                .addNewItem()
                .withPath("labels")
                .withNewFieldRef()
                .withFieldPath("metadata.labels")
                .endFieldRef()
                .endItem()
                .addNewItem()
                .withPath("mem")
                .withNewResourceFieldRef()
                .withContainerName("report")
                .withResource("limits.memory")
                .withDivisor(new Quantity("1Mi"))
                .endResourceFieldRef()
                .endItem()
                .endDownwardAPI()
                .build()));
    Pod pod = pod(ns, "report", spec);
    pod.getMetadata().setLabels(Map.of("app", "report"));
    client.resource(pod).create();

    Pod done = awaitPhase("report", "Succeeded");
    assertThat(done.getSpec().getNodeName()).as("bound by the scheduler").isEqualTo(node.name());
    ContainerStatus status = done.getStatus().getContainerStatuses().getFirst();
    assertThat(status.getState().getTerminated().getExitCode()).isZero();
    assertThat(status.getState().getTerminated().getReason()).isEqualTo("Completed");
    assertThat(conditionReason(done, "Ready")).isEqualTo("PodCompleted");
    assertThat(done.getStatus().getPodIP()).isEqualTo(LocalNode.IP);

    Path podDir = node.podsDir().resolve(ns).resolve("report");
    List<String> report = Files.readAllLines(podDir.resolve("report.txt"));
    Path volumes = podDir.resolve("volumes");
    assertThat(report)
        .contains(
            "env STATE_DIR=" + volumes.resolve("state"),
            "env STATE_FILE=" + volumes.resolve("state") + "/state.db",
            "env POD_NAME=report",
            "env TOKEN=s3cr3t",
            "env CM_MODE=strict",
            "env HOSTNAME=report",
            "file "
                + volumes.resolve("config/config.json")
                + "={\"keyFile\": \""
                + volumes.resolve("token/token")
                + "\"}",
            "file " + volumes.resolve("token/token") + "=s3cr3t",
            "file " + volumes.resolve("podinfo/labels") + "=app=\"report\"",
            "file " + volumes.resolve("podinfo/mem") + "=64")
        .anyMatch(line -> line.startsWith("env KUBERNETES_SERVICE_HOST="));
    assertThat(volumes.resolve("token/other")).doesNotExist();
    assertThat(node.log(ns, "report", "report")).content().contains("started: report");
  }

  @Test
  void exitCodesFollowTheRestartPolicyAndAFailedPodNamesItsLog() {
    client.resource(pod(ns, "exits-never", spec("Never", container("main", "exit", "3")))).create();
    client
        .resource(pod(ns, "exits-on-failure", spec("OnFailure", container("main", "exit", "3"))))
        .create();

    Pod failed = awaitPhase("exits-never", "Failed");
    ContainerStatus status = failed.getStatus().getContainerStatuses().getFirst();
    assertThat(status.getState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(status.getRestartCount()).isZero();
    assertThat(failed.getStatus().getMessage())
        .isEqualTo(
            "container main exited with code 3 (log: " + node.log(ns, "exits-never", "main") + ")");
    assertThat(node.log(ns, "exits-never", "main")).content().contains("exiting with 3");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ContainerStatus restarted =
                  get("exits-on-failure").getStatus().getContainerStatuses().getFirst();
              assertThat(restarted.getRestartCount()).isPositive();
              assertThat(restarted.getLastState().getTerminated().getExitCode()).isEqualTo(3);
            });
    assertThat(get("exits-on-failure").getStatus().getPhase()).isIn("Running", "Pending");
  }

  @Test
  void readinessGatesReadyAndAFailingLivenessProbeRestartsTheContainer() throws Exception {
    PodSpec spec =
        spec(
            "Always",
            container("web", "serve")
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .addNewEnv()
                .withName("READY_FILE")
                .withValue("/var/run/ready/now")
                .endEnv()
                .addNewEnv()
                .withName("UNHEALTHY_AFTER")
                .withValue("3600")
                .endEnv()
                .addNewVolumeMount()
                .withName("ready")
                .withMountPath("/var/run/ready")
                .endVolumeMount()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/readyz")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(1)
                .withFailureThreshold(1)
                .endReadinessProbe()
                .withNewLivenessProbe()
                .withNewHttpGet()
                .withPath("/healthz")
                .withPort(new IntOrString(8080))
                .endHttpGet()
                .withPeriodSeconds(1)
                .withFailureThreshold(2)
                .endLivenessProbe());
    spec.setVolumes(
        List.of(new VolumeBuilder().withName("ready").withNewEmptyDir().endEmptyDir().build()));
    client.resource(pod(ns, "web", spec)).create();

    await().atMost(WAIT).until(() -> node.hostPort(ns, "web", "http").isPresent());
    awaitPhase("web", "Running");
    assertThat(condition(get("web"), "Ready")).isEqualTo("False");
    int port = node.hostPort(ns, "web", "http").orElseThrow();
    assertThat(port).as("a free host port, not the declared 8080").isNotEqualTo(8080);

    Files.createFile(node.podsDir().resolve(ns).resolve("web/volumes/ready/now"));
    await().atMost(WAIT).until(() -> condition(get("web"), "Ready"), "True"::equals);

    // The same Pod, unhealthy two seconds after each start: killed and started again.
    client.pods().inNamespace(ns).withName("web").delete();
    await().atMost(WAIT).until(() -> get("web") == null);
    spec.getContainers().getFirst().getEnv().get(1).setValue("2");
    client.resource(pod(ns, "web", spec)).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ContainerStatus s = get("web").getStatus().getContainerStatuses().getFirst();
              assertThat(s.getRestartCount()).isPositive();
              assertThat(s.getLastState().getTerminated()).isNotNull();
            });
    assertThat(events("web"))
        .anyMatch(
            e ->
                e.getReason().equals("Unhealthy")
                    && e.getMessage()
                        .startsWith(
                            "Liveness probe failed: HTTP probe failed with statuscode: 500"));
  }

  @Test
  void deletingAPodSendsSigtermThenSigkillAfterTheGracePeriodAndRemovesIt() throws Exception {
    client
        .resource(
            pod(
                ns,
                "stubborn",
                spec(
                    "Always",
                    container("main", "sleep")
                        .addNewEnv()
                        .withName("IGNORE_SIGTERM")
                        .withValue("true")
                        .endEnv())))
        .create();
    awaitPhase("stubborn", "Running");
    long pid = node.pid(ns, "stubborn", "main").orElseThrow();
    Path log = node.log(ns, "stubborn", "main");
    await().atMost(WAIT).until(() -> Files.readString(log).contains("started: sleep"));

    client.pods().inNamespace(ns).withName("stubborn").withGracePeriod(3).delete();
    await().atMost(WAIT).until(() -> Files.readString(log).contains("SIGTERM received"));
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .as("still running after SIGTERM, within its grace period")
        .contains(true);
    await().atMost(WAIT).until(() -> get("stubborn") == null);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(node.runningPods()).doesNotContain(ns + "/stubborn");
  }

  @Test
  void anImageTheNodeCannotRunFailsThePodWithTheReason() {
    client
        .resource(
            pod(
                ns,
                "unknown-image",
                spec("Never", container("main").withImage("registry.example.com/nope:1"))))
        .create();
    Pod failed = awaitPhase("unknown-image", "Failed");
    assertThat(failed.getStatus().getReason()).isEqualTo("UnknownImage");
    assertThat(failed.getStatus().getMessage())
        .contains(
            "container main: image registry.example.com/nope:1 is not one the local node runs",
            TestImages.IMAGE.substring(0, TestImages.IMAGE.indexOf(':')));

    // restartPolicy Always (a Deployment's Pod): it waits with the reason instead of failing.
    client
        .resource(
            pod(
                ns,
                "unknown-image-always",
                spec("Always", container("main").withImage("registry.example.com/nope:1"))))
        .create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Pod waiting = get("unknown-image-always");
              var state = waiting.getStatus().getContainerStatuses().getFirst().getState();
              assertThat(waiting.getStatus().getPhase()).isEqualTo("Pending");
              assertThat(state.getWaiting().getReason()).isEqualTo("ErrImagePull");
              assertThat(state.getWaiting().getMessage())
                  .contains("registry.example.com/nope:1 is not one the local node runs");
            });
  }

  @Test
  void anEmptyDirOverItsSizeLimitEvictsThePod() {
    PodSpec spec =
        spec(
            "Never",
            container("main", "fill", "2097152", "/scratch/blob")
                .addNewVolumeMount()
                .withName("scratch")
                .withMountPath("/scratch")
                .endVolumeMount());
    spec.setVolumes(
        List.of(
            new VolumeBuilder()
                .withName("scratch")
                .withNewEmptyDir()
                .withSizeLimit(new Quantity("1Mi"))
                .endEmptyDir()
                .build()));
    client.resource(pod(ns, "filler", spec)).create();
    Pod evicted = awaitPhase("filler", "Failed");
    assertThat(evicted.getStatus().getReason()).isEqualTo("Evicted");
    assertThat(evicted.getStatus().getMessage())
        .isEqualTo("Usage of EmptyDir volume \"scratch\" exceeds the limit \"1Mi\". ");
  }

  private static Pod awaitPhase(String name, String phase) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> get(name),
            p -> p != null && p.getStatus() != null && phase.equals(p.getStatus().getPhase()));
  }

  private static Pod get(String name) {
    return client.pods().inNamespace(ns).withName(name).get();
  }

  private static String condition(Pod pod, String type) {
    return pod.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse(null);
  }

  private static String conditionReason(Pod pod, String type) {
    return pod.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getReason())
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  private static List<Event> events(String pod) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> pod.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
