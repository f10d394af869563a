package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.WorkerSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.operator.common.Labels;
import io.insighthub.operator.common.StateStorage;
import io.insighthub.operator.common.WorkerPodTemplate;
import java.util.List;
import java.util.Map;

/** Builds the Deployment of each long-running worker stage of a Pipeline. */
public final class WorkerDeploymentBuilder {
  private WorkerDeploymentBuilder() {}

  /** The Deployments of the stages the source needs ({@link WorkerStage#of}). */
  public static List<Deployment> build(ResolvedPipeline resolved) {
    return WorkerStage.of(resolved.pipeline()).stream().map(s -> build(resolved, s)).toList();
  }

  public static Deployment build(ResolvedPipeline resolved, WorkerStage stage) {
    Pipeline pipeline = resolved.pipeline();
    WorkerSpec worker = workerSpec(pipeline, stage);
    Map<String, String> podLabels = Labels.forWorker(Labels.forPipeline(pipeline), stage.id());
    var pii = pipeline.getSpec().pii;
    boolean hashes =
        stage == WorkerStage.VALIDATE
            && pii != null
            && pii.hashKeySecretRef != null
            && pii.fields.stream().anyMatch(f -> f.action == PiiField.Action.HASH);
    var sink = WorkerConfigBuilder.sinkSpec(pipeline, resolved.cdcSource());
    StateStorage stateStorage = StateStorage.of(worker.stateStorage);
    var template =
        new WorkerPodTemplate(
            stage.id(),
            podLabels,
            image(resolved),
            resources(worker, resolved),
            stateStorage,
            PipelineNames.configMap(pipeline),
            resolved.configHash(),
            // validate and archive move data out of topics only; the others write the warehouse.
            stage != WorkerStage.VALIDATE && stage != WorkerStage.ARCHIVE && sink != null
                ? sink.connectionSecretRef.name
                : null,
            hashes ? pii.hashKeySecretRef.name : null,
            hashes ? WorkerConfigBuilder.hashKey(pii) : null,
            stage == WorkerStage.ARCHIVE ? archiveCredentials(pipeline) : null,
            stage == WorkerStage.VALIDATE && stateStorage != null
                // The stage forgets its oldest spilled ids (counted, logged) before the volume
                // is full.
                ? Map.of(
                    WorkerConfig.MAX_SPILLED_DEDUP_IDS_ENV,
                    String.valueOf(stateStorage.maxSpilledDedupIds()))
                : Map.of(),
            true);
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(PipelineNames.deployment(pipeline, stage))
        .withNamespace(pipeline.getMetadata().getNamespace())
        .withLabels(podLabels)
        .endMetadata()
        .withNewSpec()
        .withReplicas(resolved.suspended() ? 0 : worker.replicas)
        // The loader is the one writer of its tables: the old pod stops before the new one starts
        // (DuckDB allows one writing process; append batches are refused once loaded).
        .withNewStrategy()
        .withType(stage == WorkerStage.LOAD ? "Recreate" : "RollingUpdate")
        .endStrategy()
        .withNewSelector()
        .withMatchLabels(podLabels)
        .endSelector()
        .withTemplate(template.build("Always"))
        .endSpec()
        .build();
  }

  /** The Secret holding the archive's object-store credentials, exposed as environment. */
  static String archiveCredentials(Pipeline pipeline) {
    var archive = pipeline.getSpec().archive;
    return archive != null && archive.credentialsSecretRef != null
        ? archive.credentialsSecretRef.name
        : null;
  }

  static String image(ResolvedPipeline resolved) {
    String image = resolved.pipeline().getSpec().workers.image;
    return image != null ? image : resolved.operator().workerImage();
  }

  private static WorkerSpec workerSpec(Pipeline pipeline, WorkerStage stage) {
    var workers = pipeline.getSpec().workers;
    WorkerSpec spec =
        switch (stage) {
          case VALIDATE -> workers.validate;
          case AGGREGATE -> workers.aggregate;
          case LOAD -> workers.load;
          case ARCHIVE -> workers.archive;
        };
    return spec != null ? spec : new WorkerSpec();
  }

  private static ResourceRequirements resources(WorkerSpec worker, ResolvedPipeline resolved) {
    return worker.resources != null ? worker.resources : resolved.operator().workerResources();
  }
}
