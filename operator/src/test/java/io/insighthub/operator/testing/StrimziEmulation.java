package io.insighthub.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.CrdConstants;
import io.strimzi.api.kafka.model.common.ConditionBuilder;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.connector.KafkaConnectorStatusBuilder;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.topic.KafkaTopicStatusBuilder;
import java.time.Instant;
import java.util.Map;

/**
 * Plays Strimzi's Topic Operator and connector operator on the bare test bed (which runs no
 * Strimzi): sets the status they would write on the KafkaTopics and KafkaConnectors we created.
 */
public final class StrimziEmulation {
  private final KubernetesClient client;
  private final String namespace;

  public StrimziEmulation(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Every KafkaTopic of the Pipeline becomes Ready for its current generation. */
  public void topicsReady(String pipeline) {
    topics(pipeline).forEach(t -> topicStatus(t.getMetadata().getName(), "True", null, null));
  }

  /** Strimzi reports the topic not Ready, with its error message. */
  public void topicFailed(String topic, String reason, String message) {
    topicStatus(topic, "False", reason, message);
  }

  /** Strimzi's connector operator reports the KafkaConnector Ready in Kafka Connect's state. */
  public void connectorReady(String connector, String state) {
    Conflicts.retry(
        () ->
            client
                .resources(KafkaConnector.class)
                .inNamespace(namespace)
                .withName(connector)
                .editStatus(
                    c -> {
                      c.setStatus(
                          new KafkaConnectorStatusBuilder()
                              .withObservedGeneration(c.getMetadata().getGeneration())
                              .withConnectorStatus(
                                  Map.of("name", connector, "connector", Map.of("state", state)))
                              .withConditions(
                                  new ConditionBuilder()
                                      .withType("Ready")
                                      .withStatus("True")
                                      .withLastTransitionTime(Instant.now().toString())
                                      .build())
                              .build());
                      return c;
                    }));
  }

  public java.util.List<KafkaTopic> topics(String pipeline) {
    return client
        .resources(KafkaTopic.class)
        .inNamespace(namespace)
        .withLabel(CrdConstants.LABEL_PIPELINE, pipeline)
        .list()
        .getItems();
  }

  private void topicStatus(String topic, String status, String reason, String message) {
    Conflicts.retry(
        () ->
            client
                .resources(KafkaTopic.class)
                .inNamespace(namespace)
                .withName(topic)
                .editStatus(
                    t -> {
                      t.setStatus(
                          new KafkaTopicStatusBuilder()
                              .withObservedGeneration(t.getMetadata().getGeneration())
                              .withTopicName(t.getMetadata().getName())
                              .withConditions(
                                  new ConditionBuilder()
                                      .withType("Ready")
                                      .withStatus(status)
                                      .withReason(reason)
                                      .withMessage(message)
                                      .withLastTransitionTime(Instant.now().toString())
                                      .build())
                              .build());
                      return t;
                    }));
  }
}
