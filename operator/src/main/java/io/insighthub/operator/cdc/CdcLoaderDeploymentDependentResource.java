package io.insighthub.operator.cdc;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.operator.common.ChildDependent;
import io.insighthub.operator.common.CompactingItemStore;
import io.insighthub.operator.common.Labels;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** The cdc-load worker Deployment. */
@KubernetesDependent(
    informer =
        @Informer(labelSelector = Labels.MANAGED_SELECTOR, itemStore = CompactingItemStore.class))
public class CdcLoaderDeploymentDependentResource extends ChildDependent<Deployment, CdcSource> {
  public CdcLoaderDeploymentDependentResource() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(CdcSource source, Context<CdcSource> context) {
    var resolved = CdcSourceReconciler.resolved(context);
    return CdcLoaderBuilder.deployment(source, resolved.operator(), resolved.configHash());
  }

  @Override
  protected ResourceID targetSecondaryResourceID(CdcSource source, Context<CdcSource> context) {
    return new ResourceID(
        CdcLoaderBuilder.deploymentName(source), source.getMetadata().getNamespace());
  }
}
