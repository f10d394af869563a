package io.insighthub.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The product's workloads on the test bed's real controllers and local node: a Pipeline's config
 * change rolls its worker Deployments (new Pods, old processes stopped); a CronJob fires and its
 * Job's Pod runs a worker subcommand to completion, exit code in status, as does a Job made from it
 * with {@code kubectl create job --from}; a failing worker Job reports its exit code and log;
 * deleting the Pipeline removes its Deployments, ConfigMap and topics and stops its processes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkloadsScenarioIT {
  private static final String NS = Kubectl.NS;
  private static final String PIPELINE = "product-events";
  private static final Duration WAIT = Duration.ofMinutes(4);
  private static final List<String> STAGES = List.of("validate", "aggregate", "load");
  private static InsightHubStack stack;
  private static Kubectl kubectl;
  private static KubernetesClient client;

  @BeforeAll
  static void startStack() {
    stack = Kubectl.startStack("workloads", false);
    kubectl = Kubectl.on(stack);
    client = stack.api().client();
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void aConfigChangeRollsTheWorkerDeployments() {
    stack.applySamples(List.of("10-pipeline-product-events.yaml"));
    awaitReady();
    Map<String, Pod> before = runningPods();
    Map<String, Long> pids = pids(before);

    kubectl.run(
        "patch",
        "pipeline",
        PIPELINE,
        "--type",
        "merge",
        "-p",
        "{\"spec\":{\"freshness\":{\"streamingSla\":\"3m\"}}}");

    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              Map<String, Pod> after = runningPods();
              assertThat(after).containsOnlyKeys(STAGES);
              for (String stage : STAGES) {
                assertThat(after.get(stage).getMetadata().getName())
                    .as("the %s Pod, replaced", stage)
                    .isNotEqualTo(before.get(stage).getMetadata().getName());
                assertThat(stack.pods(PIPELINE + "-" + stage)).hasSize(1);
              }
            });
    pids.forEach((stage, pid) -> assertThat(alive(pid)).as("the old %s process", stage).isFalse());
    awaitReady();
  }

  @Test
  @Order(2)
  void aCronJobFiresAndItsJobRunsAWorkerSubcommandToCompletion() throws Exception {
    client.resource(cronJob("worker-help", "* * * * *", "validate", "--help")).create();
    Job fired =
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(2))
            .until(() -> completedJob("worker-help"), j -> j != null);
    assertThat(fired.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getKind()).isEqualTo("CronJob"));
    Pod pod = jobPod(fired.getMetadata().getName());
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(exitCode(pod)).isZero();
    assertThat(stack.node().log(NS, pod.getMetadata().getName(), "worker"))
        .content()
        .contains("Usage: worker validate");

    // What the local stack tells its user to run.
    kubectl.run("create", "job", "--from=cronjob/worker-help", "worker-help-now");
    Job now =
        await()
            .atMost(WAIT)
            .until(
                () -> client.batch().v1().jobs().inNamespace(NS).withName("worker-help-now").get(),
                j -> condition(j, "Complete"));
    assertThat(exitCode(jobPod(now.getMetadata().getName()))).isZero();
    kubectl.run("delete", "cronjob", "worker-help");
  }

  @Test
  @Order(3)
  void aFailingWorkerJobReportsItsExitCodeAndLog() {
    CronJob template = cronJob("worker-fails", "* * * * *", "no-such-stage");
    Job job =
        new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
            .withNewMetadata()
            .withName("worker-fails")
            .withNamespace(NS)
            .endMetadata()
            .withSpec(template.getSpec().getJobTemplate().getSpec())
            .build();
    job.getSpec().setBackoffLimit(0);
    client.resource(job).create();
    await()
        .atMost(WAIT)
        .until(
            () -> client.batch().v1().jobs().inNamespace(NS).withName("worker-fails").get(),
            j -> condition(j, "Failed"));
    Pod pod = jobPod("worker-fails");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
    assertThat(exitCode(pod)).isEqualTo(2);
    assertThat(pod.getStatus().getMessage())
        .isEqualTo(
            "container worker exited with code 2 (log: "
                + stack.node().log(NS, pod.getMetadata().getName(), "worker")
                + ")");
    assertThat(
            pod.getStatus()
                .getContainerStatuses()
                .getFirst()
                .getState()
                .getTerminated()
                .getMessage())
        .as("the end of its log, FallbackToLogsOnError")
        .contains("unknown subcommand 'no-such-stage'");
  }

  @Test
  @Order(4)
  void deletingThePipelineRemovesItsChildrenAndStopsItsProcesses() throws Exception {
    Map<String, Long> pids = pids(runningPods());
    assertThat(pids).containsOnlyKeys(STAGES);
    kubectl.run("delete", "pipeline", PIPELINE);

    String selector = "data.insighthub.io/pipeline=" + PIPELINE;
    try (Admin admin = stack.broker().admin()) {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofSeconds(2))
          .untilAsserted(
              () -> {
                assertThat(
                        kubectl.run(
                            "get",
                            "deployments,replicasets,pods,configmaps,kafkatopics",
                            "-l",
                            selector,
                            "-o",
                            "name"))
                    .isEmpty();
                Set<String> topics = admin.listTopics().names().get();
                assertThat(topics).noneMatch(t -> t.startsWith(NS + "." + PIPELINE + "."));
              });
    }
    pids.forEach((stage, pid) -> assertThat(alive(pid)).as("the %s process", stage).isFalse());
  }

  private static CronJob cronJob(String name, String schedule, String... args) {
    return new CronJobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .withSchedule(schedule)
        .withConcurrencyPolicy("Forbid")
        .withNewJobTemplate()
        .withNewSpec()
        .withBackoffLimit(0)
        .withNewTemplate()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withContainers(
            new ContainerBuilder()
                .withName("worker")
                .withImage(ProjectImages.WORKER + ":0.1.0")
                .withArgs(args)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewResources()
                .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi"))
                .endResources()
                .build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .endJobTemplate()
        .endSpec()
        .build();
  }

  private static Job completedJob(String cronJob) {
    return client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
        .filter(j -> j.getMetadata().getName().startsWith(cronJob + "-"))
        .filter(
            j ->
                j.getMetadata().getOwnerReferences() != null
                    && !j.getMetadata().getOwnerReferences().isEmpty())
        .filter(j -> condition(j, "Complete"))
        .findFirst()
        .orElse(null);
  }

  private static boolean condition(Job job, String type) {
    return job != null
        && job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals(type) && c.getStatus().equals("True"));
  }

  private static Pod jobPod(String job) {
    return client.pods().inNamespace(NS).withLabel("job-name", job).list().getItems().getFirst();
  }

  private static int exitCode(Pod pod) {
    return pod.getStatus()
        .getContainerStatuses()
        .getFirst()
        .getState()
        .getTerminated()
        .getExitCode();
  }

  /** The running, ready Pod of each worker stage (a stage mid-rollout is left out). */
  private static Map<String, Pod> runningPods() {
    Map<String, Pod> pods = new java.util.TreeMap<>();
    for (String stage : STAGES) {
      List<Pod> running =
          stack.pods(PIPELINE + "-" + stage).stream()
              .filter(p -> "Running".equals(p.getStatus().getPhase()))
              .filter(
                  p ->
                      p.getStatus().getConditions().stream()
                          .anyMatch(
                              c -> c.getType().equals("Ready") && c.getStatus().equals("True")))
              .toList();
      if (running.size() == 1) {
        pods.put(stage, running.getFirst());
      }
    }
    return pods;
  }

  private static Map<String, Long> pids(Map<String, Pod> pods) {
    Map<String, Long> pids = new java.util.TreeMap<>();
    pods.forEach(
        (stage, pod) ->
            pids.put(
                stage, stack.node().pid(NS, pod.getMetadata().getName(), stage).orElseThrow()));
    return pids;
  }

  private static void awaitReady() {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> kubectl.condition("pipeline", PIPELINE, "Ready", "status"), "True"::equals);
    await().atMost(WAIT).until(() -> runningPods().size() == STAGES.size());
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
