package io.insighthub.operator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.testing.Samples;
import io.insighthub.operator.testing.TestPipelines;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worker Deployments and CronJobs: which exist, suspend, the pod's hardening and its local
 * disk.
 */
class WorkloadBuildersTest {
  static final OperatorConfig CONFIG = OperatorConfig.defaults().withKafkaCluster("main");

  static ResolvedPipeline resolve(Pipeline pipeline) {
    return ResolvedPipeline.resolve(pipeline, List.of(), null, CONFIG);
  }

  @Test
  void anEventsSourceRunsValidateAndLoadPlusAggregateOnlyForStreamingTransforms() {
    assertThat(names(WorkerDeploymentBuilder.build(resolve(TestPipelines.events("a", "ns")))))
        .containsExactly("a-validate", "a-load");
    assertThat(
            names(
                WorkerDeploymentBuilder.build(
                    resolve(TestPipelines.eventsWithTransforms("b", "ns")))))
        .containsExactly("b-validate", "b-aggregate", "b-load");
    assertThat(WorkerDeploymentBuilder.build(resolve(Samples.pipeline("billing-files"))))
        .as("batch files are loaded by a CronJob")
        .isEmpty();
  }

  @Test
  void theLoaderIsReplacedNotRolled() {
    assertThat(
            WorkerDeploymentBuilder.build(resolve(TestPipelines.eventsWithTransforms("b", "ns"))))
        .extracting(d -> d.getMetadata().getName(), d -> d.getSpec().getStrategy().getType())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("b-validate", "RollingUpdate"),
            org.assertj.core.groups.Tuple.tuple("b-aggregate", "RollingUpdate"),
            org.assertj.core.groups.Tuple.tuple("b-load", "Recreate"));
  }

  @Test
  void suspendScalesEveryWorkerToZeroAndSuspendsEveryCronJob() {
    Pipeline pipeline = TestPipelines.eventsWithTransforms("p", "ns");
    pipeline.getSpec().suspend = true;

    assertThat(WorkerDeploymentBuilder.build(resolve(pipeline)))
        .hasSize(3)
        .allSatisfy(d -> assertThat(d.getSpec().getReplicas()).isZero());
    assertThat(PipelineCronJobBuilder.build(resolve(pipeline)))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.getSpec().getSuspend()).isTrue());
  }

  @Test
  void workerPodsRunRestrictedWithSecretsMountedReadOnly() {
    Deployment load =
        WorkerDeploymentBuilder.build(resolve(TestPipelines.events("p", "ns"))).get(1);
    var pod = load.getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().getFirst();

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .singleElement()
        .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("warehouse"));
    assertThat(container.getVolumeMounts())
        .filteredOn(m -> m.getName().equals("sink"))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(container.getEnv())
        .as("no secret value is copied into the pod spec: only the state directory")
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getName()).isEqualTo("INSIGHTHUB_STATE_DIR");
              assertThat(e.getValue()).isEqualTo("/var/lib/insighthub");
            });
    assertThat(container.getResources()).isEqualTo(CONFIG.workerResources());
  }

  @Test
  void eachRootSqlTransformGetsAnEltRunCronJobItsDependentsRunInside() {
    Pipeline billing = Samples.pipeline("billing");

    List<CronJob> jobs =
        PipelineCronJobBuilder.build(
            ResolvedPipeline.resolve(billing, List.of(), Samples.cdcSource("billing-db"), CONFIG));

    assertThat(names(jobs)).containsExactly("billing-elt-run-mrr-by-account");
    assertThat(jobs.getFirst().getSpec().getSchedule()).isEqualTo("*/15 * * * *");
    assertThat(
            jobs.getFirst()
                .getSpec()
                .getJobTemplate()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .getArgs())
        .containsExactly(
            "elt-run",
            "--config",
            "/etc/insighthub/config.json",
            "--metrics-port",
            "9404",
            "--root",
            "mrr-by-account");
  }

  @Test
  void aBatchSourceIngestsOnItsScheduleWithCredentialsFromTheSecretAsEnvironment() {
    List<CronJob> jobs =
        PipelineCronJobBuilder.build(resolve(Samples.pipeline("salesforce-accounts")));

    assertThat(names(jobs))
        .containsExactly("salesforce-accounts-batch-ingest", "salesforce-accounts-pii-purge");
    CronJob ingest = jobs.getFirst();
    assertThat(ingest.getSpec().getSchedule()).isEqualTo("30 4 * * *");
    assertThat(ingest.getSpec().getTimeZone()).isEqualTo("Etc/UTC");
    assertThat(ingest.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
    Container container =
        ingest
            .getSpec()
            .getJobTemplate()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .getFirst();
    assertThat(container.getEnvFrom())
        .singleElement()
        .satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("s3-ingest"));
  }

  @Test
  void aStreamingTransformOnlyNeverSchedulesAnEltRun() {
    Pipeline pipeline = TestPipelines.eventsWithTransforms("p", "ns");
    pipeline.getSpec().transforms =
        pipeline.getSpec().transforms.stream()
            .filter(t -> t.type != TransformSpec.Type.SQL)
            .toList();

    assertThat(PipelineCronJobBuilder.build(resolve(pipeline)))
        .extracting(c -> c.getMetadata().getName())
        .as("only the purge that expires the curated rows of sessions and usage")
        .containsExactly("p-pii-purge");
  }

  @Test
  void stateStorageSizesTheStateVolumeRequestsItAndBoundsValidatesSpill() {
    Pipeline pipeline = TestPipelines.eventsWithTransforms("p", "ns");
    pipeline.getSpec().workers.validate.stateStorage = "20Gi";
    pipeline.getSpec().workers.aggregate.stateStorage = "1.5Gi";

    List<Deployment> deployments = WorkerDeploymentBuilder.build(resolve(pipeline));
    var validate = deployments.get(0).getSpec().getTemplate().getSpec();
    var aggregate = deployments.get(1).getSpec().getTemplate().getSpec();
    var load = deployments.get(2).getSpec().getTemplate().getSpec();

    assertThat(stateVolume(validate).getEmptyDir().getSizeLimit()).hasToString("20Gi");
    assertThat(validate.getContainers().getFirst().getResources().getRequests())
        .containsAllEntriesOf(CONFIG.workerResources().getRequests())
        .containsEntry("ephemeral-storage", new Quantity("20Gi"));
    assertThat(validate.getContainers().getFirst().getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(
            tuple("INSIGHTHUB_STATE_DIR", "/var/lib/insighthub"),
            tuple("INSIGHTHUB_VALIDATE_MAX_SPILLED_DEDUP_IDS", "276105040"));

    assertThat(stateVolume(aggregate).getEmptyDir().getSizeLimit())
        .as("stored by the API server as 1536Mi, so rendered so")
        .hasToString("1536Mi");
    assertThat(aggregate.getContainers().getFirst().getResources().getRequests())
        .containsEntry("ephemeral-storage", new Quantity("1536Mi"));
    assertThat(aggregate.getContainers().getFirst().getEnv())
        .as("Kafka Streams has no spill bound to derive")
        .extracting(EnvVar::getName)
        .containsExactly("INSIGHTHUB_STATE_DIR");

    assertThat(stateVolume(load).getEmptyDir().getSizeLimit()).as("not set: as before").isNull();
    assertThat(load.getContainers().getFirst().getResources()).isEqualTo(CONFIG.workerResources());
    assertThat(CONFIG.workerResources().getRequests()).doesNotContainKey("ephemeral-storage");
  }

  @Test
  void anEphemeralStorageRequestInResourcesIsKeptAndStillSizesTheVolume() {
    Pipeline pipeline = TestPipelines.events("p", "ns");
    pipeline.getSpec().workers.validate.stateStorage = "20Gi";
    pipeline.getSpec().workers.validate.resources =
        new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("1"))
            .addToRequests("ephemeral-storage", new Quantity("25Gi"))
            .build();

    var validate =
        WorkerDeploymentBuilder.build(resolve(pipeline)).get(0).getSpec().getTemplate().getSpec();

    assertThat(validate.getContainers().getFirst().getResources().getRequests())
        .containsExactly(
            entry("cpu", new Quantity("1")), entry("ephemeral-storage", new Quantity("25Gi")));
    assertThat(stateVolume(validate).getEmptyDir().getSizeLimit()).hasToString("20Gi");
  }

  static Volume stateVolume(PodSpec pod) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals("state")).findFirst().get();
  }

  static List<String> names(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> resources) {
    return resources.stream().map(r -> r.getMetadata().getName()).toList();
  }
}
