package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.operator.common.BulkChildDependent;
import io.insighthub.operator.common.CompactingItemStore;
import io.insighthub.operator.common.Labels;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.List;

/** The Pipeline's CronJobs: batch ingest, ELT runs and PII purge, as the spec asks. */
@KubernetesDependent(
    informer =
        @Informer(labelSelector = Labels.MANAGED_SELECTOR, itemStore = CompactingItemStore.class))
public class CronJobsDependentResource extends BulkChildDependent<CronJob, Pipeline> {
  public CronJobsDependentResource() {
    super(CronJob.class);
  }

  @Override
  protected List<CronJob> desiredChildren(Pipeline pipeline, Context<Pipeline> context) {
    return PipelineCronJobBuilder.build(PipelineReconciler.resolved(context));
  }
}
