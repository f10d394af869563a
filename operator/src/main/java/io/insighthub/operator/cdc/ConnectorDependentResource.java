package io.insighthub.operator.cdc;

import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.operator.common.ChildDependent;
import io.insighthub.operator.common.CompactingItemStore;
import io.insighthub.operator.common.Labels;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.strimzi.api.kafka.model.connector.KafkaConnector;

/** The CdcSource's Debezium KafkaConnector. */
@KubernetesDependent(
    informer =
        @Informer(labelSelector = Labels.MANAGED_SELECTOR, itemStore = CompactingItemStore.class))
public class ConnectorDependentResource extends ChildDependent<KafkaConnector, CdcSource> {
  public ConnectorDependentResource() {
    super(KafkaConnector.class);
  }

  @Override
  protected KafkaConnector desired(CdcSource source, Context<CdcSource> context) {
    return ConnectorBuilder.build(source);
  }

  @Override
  protected ResourceID targetSecondaryResourceID(CdcSource source, Context<CdcSource> context) {
    return ResourceID.fromResource(source);
  }
}
