package io.insighthub.e2e.node;

import static io.insighthub.e2e.node.TestImages.container;
import static io.insighthub.e2e.node.TestImages.spec;
import static io.insighthub.e2e.node.TestImages.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Kubernetes' own controllers driving Pods on the local node: a Deployment rolls out a changed
 * template (new Pod started, old process stopped), an Indexed Job retries only its failing index
 * ({@code backoffLimitPerIndex}), a suspended Job's running Pods are stopped, and deleting a
 * Deployment lets the garbage collector remove its ReplicaSet and Pods.
 */
@ExtendWith(KubeApiServerExtension.class)
class WorkloadControllersIT {
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static LocalNode node;
  private static KubernetesClient client;
  private static String ns;

  @BeforeAll
  static void startNode(KubernetesClient kube, TestNamespace namespace) {
    client = kube;
    ns = namespace.name();
    node = TestImages.node(client, "workload-controllers-it");
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aChangedTemplateRollsTheDeploymentAndDeletingItStopsItsProcesses() {
    Map<String, String> labels = Map.of("app", "roll");
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("roll")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withReplicas(1)
            .withNewSelector()
            .withMatchLabels(labels)
            .endSelector()
            .withTemplate(
                template(
                    labels,
                    spec(
                        "Always",
                        container("main", "serve")
                            .addNewPort()
                            .withName("http")
                            .withContainerPort(8080)
                            .endPort()
                            .withNewReadinessProbe()
                            .withNewHttpGet()
                            .withPath("/healthz")
                            .withNewPort("http")
                            .endHttpGet()
                            .withPeriodSeconds(1)
                            .endReadinessProbe())))
            .endSpec()
            .build();
    client.resource(deployment).create();
    awaitAvailable(1);
    Pod first = runningPods(labels).getFirst();
    long firstPid = node.pid(ns, first.getMetadata().getName(), "main").orElseThrow();

    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("roll")
        .edit(
            d -> {
              d.getSpec().getTemplate().getMetadata().setAnnotations(Map.of("config-hash", "b"));
              return d;
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Deployment d = client.apps().deployments().inNamespace(ns).withName("roll").get();
              assertThat(d.getStatus().getObservedGeneration())
                  .isEqualTo(d.getMetadata().getGeneration());
              assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(1);
              assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(1);
              assertThat(d.getStatus().getReplicas()).isEqualTo(1);
              assertThat(pods(labels))
                  .extracting(p -> p.getMetadata().getName())
                  .containsExactly(runningPods(labels).getFirst().getMetadata().getName())
                  .doesNotContain(first.getMetadata().getName());
            });
    assertThat(alive(firstPid)).as("the old Pod's process").isFalse();
    long secondPid =
        node.pid(ns, runningPods(labels).getFirst().getMetadata().getName(), "main").orElseThrow();

    client.apps().deployments().inNamespace(ns).withName("roll").delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(
                      client
                          .apps()
                          .replicaSets()
                          .inNamespace(ns)
                          .withLabels(labels)
                          .list()
                          .getItems())
                  .as("ReplicaSets, removed by the garbage collector")
                  .isEmpty();
              assertThat(pods(labels)).isEmpty();
            });
    assertThat(alive(secondPid)).isFalse();
  }

  @Test
  void anIndexedJobRetriesOnlyItsFailingIndex() {
    Job job =
        indexedJob(
            "indexed",
            3,
            container("main", "fail-index", "1")
                .addNewEnv()
                .withName("FAILURES")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath(
                    "metadata.annotations['batch.kubernetes.io/job-index-failure-count']")
                .endFieldRef()
                .endValueFrom()
                .endEnv());
    client.resource(job).create();

    Job done = awaitJobCondition("indexed", "Complete");
    assertThat(done.getStatus().getSucceeded()).isEqualTo(3);
    assertThat(done.getStatus().getFailed()).isEqualTo(1);
    assertThat(done.getStatus().getCompletedIndexes()).isEqualTo("0-2");
    assertThat(done.getStatus().getFailedIndexes()).isNullOrEmpty();
    Map<String, List<String>> phasesByIndex =
        pods(Map.of("job-name", "indexed")).stream()
            .collect(
                Collectors.groupingBy(
                    p ->
                        p.getMetadata()
                            .getAnnotations()
                            .get("batch.kubernetes.io/job-completion-index"),
                    Collectors.mapping(p -> p.getStatus().getPhase(), Collectors.toList())));
    assertThat(phasesByIndex)
        .containsEntry("0", List.of("Succeeded"))
        .containsEntry("2", List.of("Succeeded"));
    assertThat(phasesByIndex.get("1")).containsExactlyInAnyOrder("Failed", "Succeeded");
    Pod failed =
        pods(Map.of("job-name", "indexed")).stream()
            .filter(p -> p.getStatus().getPhase().equals("Failed"))
            .findFirst()
            .orElseThrow();
    assertThat(
            failed
                .getStatus()
                .getContainerStatuses()
                .getFirst()
                .getState()
                .getTerminated()
                .getExitCode())
        .isEqualTo(1);
  }

  @Test
  void suspendingAJobStopsItsRunningPods() {
    Job job = indexedJob("long", 2, container("main", "sleep"));
    job.getSpec().setParallelism(2);
    client.resource(job).create();
    await().atMost(WAIT).until(() -> runningPods(Map.of("job-name", "long")).size() == 2);
    List<Long> pids =
        runningPods(Map.of("job-name", "long")).stream()
            .map(p -> node.pid(ns, p.getMetadata().getName(), "main").orElseThrow())
            .toList();

    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withName("long")
        .edit(
            j -> {
              j.getSpec().setSuspend(true);
              return j;
            });
    awaitJobCondition("long", "Suspended");
    await().atMost(WAIT).until(() -> pods(Map.of("job-name", "long")).isEmpty());
    assertThat(pids).allSatisfy(pid -> assertThat(alive(pid)).isFalse());
  }

  private static Job indexedJob(
      String name, int completions, io.fabric8.kubernetes.api.model.ContainerBuilder container) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .withNewSpec()
        .withCompletionMode("Indexed")
        .withCompletions(completions)
        .withParallelism(1)
        .withBackoffLimitPerIndex(1)
        .withMaxFailedIndexes(0)
        .withTemplate(template(Map.of(), spec("Never", container)))
        .endSpec()
        .build();
  }

  private static Job awaitJobCondition(String name, String type) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> client.batch().v1().jobs().inNamespace(ns).withName(name).get(),
            j ->
                j.getStatus() != null
                    && j.getStatus().getConditions() != null
                    && j.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals(type) && c.getStatus().equals("True")));
  }

  private static void awaitAvailable(int replicas) {
    await()
        .atMost(WAIT)
        .until(
            () -> client.apps().deployments().inNamespace(ns).withName("roll").get().getStatus(),
            s -> s != null && Objects.equals(s.getAvailableReplicas(), replicas));
  }

  private static List<Pod> pods(Map<String, String> labels) {
    return client.pods().inNamespace(ns).withLabels(labels).list().getItems();
  }

  private static List<Pod> runningPods(Map<String, String> labels) {
    return pods(labels).stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
        .toList();
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
