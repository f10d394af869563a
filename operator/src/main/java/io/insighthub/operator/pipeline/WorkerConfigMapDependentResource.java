package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.operator.common.ChildDependent;
import io.insighthub.operator.common.CompactingItemStore;
import io.insighthub.operator.common.Labels;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** The ConfigMap holding the Pipeline's resolved worker config. */
@KubernetesDependent(
    informer =
        @Informer(labelSelector = Labels.MANAGED_SELECTOR, itemStore = CompactingItemStore.class))
public class WorkerConfigMapDependentResource extends ChildDependent<ConfigMap, Pipeline> {
  public WorkerConfigMapDependentResource() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(Pipeline pipeline, Context<Pipeline> context) {
    return WorkerConfigMapBuilder.build(PipelineReconciler.resolved(context));
  }

  @Override
  protected ResourceID targetSecondaryResourceID(Pipeline pipeline, Context<Pipeline> context) {
    return new ResourceID(PipelineNames.configMap(pipeline), pipeline.getMetadata().getNamespace());
  }
}
