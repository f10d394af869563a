package io.insighthub.operator.cdc;

import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.operator.common.Labels;
import io.strimzi.api.kafka.model.common.ConnectorState;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.connector.KafkaConnectorBuilder;
import java.util.Map;

/**
 * Builds the Strimzi KafkaConnector of a CdcSource: Debezium's PostgresConnector on the named
 * KafkaConnect cluster, one task (a replication slot is read by one reader), auto-restart on, and
 * state stopped while the CdcSource is suspended.
 */
public final class ConnectorBuilder {
  private ConnectorBuilder() {}

  public static KafkaConnector build(CdcSource source) {
    Map<String, String> labels = Labels.forCdcSource(source);
    labels.put(CrdConstants.LABEL_STRIMZI_CLUSTER, source.getSpec().connectCluster);
    boolean suspended = Boolean.TRUE.equals(source.getSpec().suspend);
    return new KafkaConnectorBuilder()
        .withNewMetadata()
        .withName(source.getMetadata().getName())
        .withNamespace(source.getMetadata().getNamespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withClassName(DebeziumConnectorConfig.CONNECTOR_CLASS)
        .withTasksMax(1)
        .withNewAutoRestart()
        .withEnabled(true)
        .endAutoRestart()
        .withState(suspended ? ConnectorState.STOPPED : ConnectorState.RUNNING)
        .withConfig(DebeziumConnectorConfig.build(source))
        .endSpec()
        .build();
  }
}
