package io.insighthub.operator.cdc;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.operator.common.ChildDependent;
import io.insighthub.operator.common.CompactingItemStore;
import io.insighthub.operator.common.Labels;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** The cdc-load worker's config.json. */
@KubernetesDependent(
    informer =
        @Informer(labelSelector = Labels.MANAGED_SELECTOR, itemStore = CompactingItemStore.class))
public class CdcLoaderConfigMapDependentResource extends ChildDependent<ConfigMap, CdcSource> {
  public CdcLoaderConfigMapDependentResource() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(CdcSource source, Context<CdcSource> context) {
    var resolved = CdcSourceReconciler.resolved(context);
    return CdcLoaderBuilder.configMap(source, resolved.configJson(), resolved.configHash());
  }

  @Override
  protected ResourceID targetSecondaryResourceID(CdcSource source, Context<CdcSource> context) {
    return new ResourceID(
        CdcLoaderBuilder.configMapName(source), source.getMetadata().getNamespace());
  }
}
