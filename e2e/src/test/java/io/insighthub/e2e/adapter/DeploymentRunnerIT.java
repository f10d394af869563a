package io.insighthub.e2e.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.e2e.process.LocalProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Deployments on the real API server run as local processes that see their pod's mounts. */
@ExtendWith(KubeApiServerExtension.class)
class DeploymentRunnerIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path work;

  @Test
  void runsReplicasWithTheirMountsAndReportsStatus(KubernetesClient client, TestNamespace ns)
      throws Exception {
    String namespace = ns.name();
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("probe-config")
                .withNamespace(namespace)
                .endMetadata()
                .withData(Map.of("config.json", "secret-file=/var/run/secrets/probe/token"))
                .build())
        .create();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("probe-token")
                .withNamespace(namespace)
                .endMetadata()
                .withStringData(Map.of("token", "s3cr3t", "other", "x"))
                .build())
        .create();
    client.resource(deployment(namespace, 1, "a")).create();

    List<String> command =
        LocalProcesses.javaCommand(List.of("-Xmx32m"), ProbeWorker.class.getName(), List.of());
    try (DeploymentRunner runner =
        DeploymentRunner.start(client, namespace, command, work.resolve("runner"))) {
      awaitAvailable(client, namespace, 1);
      Path seen = runner.log(namespace, "probe", 0).resolveSibling("seen.txt");
      List<String> lines = Files.readAllLines(seen);
      Path volumes = seen.resolveSibling("volumes");
      int port = runner.metricsPort(namespace, "probe", 0).orElseThrow();
      assertThat(lines)
          .containsExactly(
              "args=probe --config "
                  + volumes.resolve("config").resolve("config.json")
                  + " --metrics-port "
                  + port,
              "STATE_DIR=" + volumes.resolve("state"),
              "TOKEN=s3cr3t",
              "config=secret-file=" + volumes.resolve("token").resolve("token"),
              "secret=s3cr3t");
      assertThat(volumes.resolve("token").resolve("other")).doesNotExist();

      // Scale up, kill one: restarted like restartPolicy Always; scale to zero stops all.
      client.apps().deployments().inNamespace(namespace).withName("probe").scale(2);
      awaitAvailable(client, namespace, 2);
      runner.kill(namespace, "probe", 0);
      await().atMost(WAIT).until(() -> available(client, namespace), n -> n != null && n < 2);
      awaitAvailable(client, namespace, 2);

      // A changed pod template replaces the replicas (a config-hash change rolls the pods).
      client
          .apps()
          .deployments()
          .inNamespace(namespace)
          .withName("probe")
          .edit(d -> deploymentWith(d, "b"));
      await()
          .atMost(WAIT)
          .until(
              () -> client.apps().deployments().inNamespace(namespace).withName("probe").get(),
              d ->
                  Objects.equals(
                          d.getStatus().getObservedGeneration(), d.getMetadata().getGeneration())
                      && Integer.valueOf(2).equals(d.getStatus().getAvailableReplicas()));
      assertThat(Files.readString(seen)).contains("args=probe");

      client.apps().deployments().inNamespace(namespace).withName("probe").scale(0);
      await().atMost(WAIT).until(() -> available(client, namespace), n -> n != null && n == 0);
      assertThat(runner.metricsPort(namespace, "probe", 0)).isEmpty();
    }
  }

  private static Deployment deploymentWith(Deployment d, String hash) {
    d.getSpec().getTemplate().getMetadata().setAnnotations(Map.of("config-hash", hash));
    return d;
  }

  private static Integer available(KubernetesClient client, String namespace) {
    Deployment d = client.apps().deployments().inNamespace(namespace).withName("probe").get();
    // The API server omits zero counts: a status without availableReplicas means 0 available.
    return d.getStatus() == null
        ? null
        : Objects.requireNonNullElse(d.getStatus().getAvailableReplicas(), 0);
  }

  private static void awaitAvailable(KubernetesClient client, String namespace, int replicas) {
    await().atMost(WAIT).until(() -> available(client, namespace), n -> n != null && n == replicas);
  }

  private static Deployment deployment(String namespace, int replicas, String hash) {
    Map<String, String> labels =
        Map.of(DeploymentRunner.MANAGED_BY, DeploymentRunner.OPERATOR, "app", "probe");
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("probe")
        .withNamespace(namespace)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .withMatchLabels(labels)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(Map.of("config-hash", hash))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("probe")
        .withImage("ghcr.io/insighthub/runtime-workers:0.1.0")
        .withArgs("probe", "--config", "/etc/insighthub/config.json", "--metrics-port", "9404")
        .addNewEnv()
        .withName("STATE_DIR")
        .withValue("/var/lib/insighthub")
        .endEnv()
        .addNewEnv()
        .withName("TOKEN")
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName("probe-token")
        .withKey("token")
        .endSecretKeyRef()
        .endValueFrom()
        .endEnv()
        .addNewVolumeMount()
        .withName("config")
        .withMountPath("/etc/insighthub")
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("token")
        .withMountPath("/var/run/secrets/probe")
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("state")
        .withMountPath("/var/lib/insighthub")
        .endVolumeMount()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/readyz")
        .withNewPort("metrics")
        .endHttpGet()
        .endReadinessProbe()
        .endContainer()
        .addNewVolume()
        .withName("config")
        .withNewConfigMap()
        .withName("probe-config")
        .endConfigMap()
        .endVolume()
        .addNewVolume()
        .withName("token")
        .withNewSecret()
        .withSecretName("probe-token")
        .addNewItem()
        .withKey("token")
        .withPath("token")
        .endItem()
        .endSecret()
        .endVolume()
        .addNewVolume()
        .withName("state")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
