package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.PiiSpec;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.operator.common.Labels;
import io.insighthub.operator.common.WorkerPodTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds a Pipeline's scheduled jobs: batch-ingest for a batch source, one elt-run per root SQL
 * transform (its dependents run after it in the same job), and pii-purge when the Pipeline has
 * something to purge or expire (PII, an archive, or curated tables with a time column).
 */
public final class PipelineCronJobBuilder {
  public static final String BATCH_INGEST = "batch-ingest";
  public static final String ELT_RUN = "elt-run";
  public static final String PII_PURGE = "pii-purge";

  private PipelineCronJobBuilder() {}

  public static List<CronJob> build(ResolvedPipeline resolved) {
    Pipeline pipeline = resolved.pipeline();
    var spec = pipeline.getSpec();
    List<CronJob> jobs = new ArrayList<>();
    if (spec.source.batch != null) {
      var credentials = spec.source.batch.credentialsSecretRef;
      jobs.add(
          cronJob(
              resolved,
              BATCH_INGEST,
              BATCH_INGEST,
              spec.source.batch.schedule,
              credentials != null ? credentials.name : null,
              true,
              List.of()));
    }
    for (TransformSpec transform : resolved.workerConfig().transforms()) {
      if (transform.type == TransformSpec.Type.SQL && transform.dependsOn.isEmpty()) {
        jobs.add(
            cronJob(
                resolved,
                ELT_RUN,
                ELT_RUN + "-" + transform.name,
                transform.schedule,
                null,
                false,
                List.of("--root", transform.name)));
      }
    }
    if (purges(resolved)) {
      String schedule = spec.pii != null ? spec.pii.purgeSchedule : new PiiSpec().purgeSchedule;
      // Rewriting archive objects hashes their PII with the key validate uses.
      boolean archiveHashes = spec.archive != null;
      jobs.add(
          cronJob(
              resolved,
              PII_PURGE,
              PII_PURGE,
              schedule,
              WorkerDeploymentBuilder.archiveCredentials(pipeline),
              archiveHashes,
              List.of()));
    }
    return jobs;
  }

  /** Whether pii-purge has work: PII to purge, an archive to expire, or tables to expire. */
  static boolean purges(ResolvedPipeline resolved) {
    var spec = resolved.pipeline().getSpec();
    var lifecycle = resolved.workerConfig().lifecycle();
    return (spec.pii != null && !spec.pii.fields.isEmpty())
        || (lifecycle != null && (lifecycle.archive() != null || !lifecycle.tables().isEmpty()));
  }

  private static CronJob cronJob(
      ResolvedPipeline resolved,
      String stage,
      String suffix,
      String schedule,
      String envSecret,
      boolean minimizesPii,
      List<String> extraArgs) {
    Pipeline pipeline = resolved.pipeline();
    var pii = pipeline.getSpec().pii;
    boolean hashes =
        minimizesPii
            && pii != null
            && pii.hashKeySecretRef != null
            && pii.fields.stream().anyMatch(f -> f.action == PiiField.Action.HASH);
    var sink = WorkerConfigBuilder.sinkSpec(pipeline, resolved.cdcSource());
    var labels = Labels.forWorker(Labels.forPipeline(pipeline), stage);
    var template =
        new WorkerPodTemplate(
                stage,
                labels,
                WorkerDeploymentBuilder.image(resolved),
                resolved.operator().workerResources(),
                null,
                PipelineNames.configMap(pipeline),
                resolved.configHash(),
                sink != null ? sink.connectionSecretRef.name : null,
                hashes ? pii.hashKeySecretRef.name : null,
                hashes ? WorkerConfigBuilder.hashKey(pii) : null,
                envSecret,
                Map.of(),
                false)
            .build("Never");
    template.getSpec().getContainers().getFirst().getArgs().addAll(extraArgs);
    return new CronJobBuilder()
        .withNewMetadata()
        .withName(PipelineNames.cronJob(pipeline, suffix))
        .withNamespace(pipeline.getMetadata().getNamespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withSchedule(schedule)
        .withTimeZone("Etc/UTC")
        .withSuspend(resolved.suspended())
        .withConcurrencyPolicy("Forbid")
        .withSuccessfulJobsHistoryLimit(3)
        .withFailedJobsHistoryLimit(3)
        .withNewJobTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(2)
        .withTemplate(template)
        .endSpec()
        .endJobTemplate()
        .endSpec()
        .build();
  }
}
