package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.operator.common.BulkChildDependent;
import io.insighthub.operator.common.CompactingItemStore;
import io.insighthub.operator.common.Labels;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.List;

/** The Deployments of the Pipeline's long-running worker stages. */
@KubernetesDependent(
    informer =
        @Informer(labelSelector = Labels.MANAGED_SELECTOR, itemStore = CompactingItemStore.class))
public class WorkerDeploymentsDependentResource extends BulkChildDependent<Deployment, Pipeline> {
  public WorkerDeploymentsDependentResource() {
    super(Deployment.class);
  }

  @Override
  protected List<Deployment> desiredChildren(Pipeline pipeline, Context<Pipeline> context) {
    return WorkerDeploymentBuilder.build(PipelineReconciler.resolved(context));
  }
}
