package io.insighthub.e2e.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.strimzi.api.kafka.Crds;
import io.strimzi.api.kafka.model.common.Condition;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.topic.KafkaTopicBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** KafkaTopic resources on the real API server become topics on the real broker, with status. */
@ExtendWith({KubeApiServerExtension.class, KafkaBrokerExtension.class})
class KafkaTopicAdapterIT {

  @Test
  void realizesTopicAndReportsReady(KubernetesClient client, TestNamespace ns, KafkaBroker broker)
      throws Exception {
    try (Admin admin = broker.admin();
        KafkaTopicAdapter adapter = KafkaTopicAdapter.start(client, admin, ns.name())) {
      Crds.topicOperation(client)
          .inNamespace(ns.name())
          .resource(topic("adapter-it.events", 3, "72h"))
          .create();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ready(client, ns, "adapter-it.events"), "True"::equals);

      var description = admin.describeTopics(List.of("adapter-it.events")).allTopicNames().get();
      assertThat(description.get("adapter-it.events").partitions()).hasSize(3);
      var config =
          admin
              .describeConfigs(
                  List.of(new ConfigResource(ConfigResource.Type.TOPIC, "adapter-it.events")))
              .all()
              .get()
              .values()
              .iterator()
              .next();
      assertThat(config.get("retention.ms").value())
          .isEqualTo(String.valueOf(Duration.ofHours(72).toMillis()));
      assertThat(config.get("min.insync.replicas").value()).isEqualTo("1");
    }
  }

  @Test
  void reportsWhatKafkaRefusesAsNotReady(
      KubernetesClient client, TestNamespace ns, KafkaBroker broker) throws Exception {
    try (Admin admin = broker.admin();
        KafkaTopicAdapter adapter = KafkaTopicAdapter.start(client, admin, ns.name())) {
      var topics = Crds.topicOperation(client).inNamespace(ns.name());
      topics.resource(topic("adapter-it.shrink", 4, "1h")).create();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ready(client, ns, "adapter-it.shrink"), "True"::equals);

      topics
          .withName("adapter-it.shrink")
          .edit(
              t -> {
                t.getSpec().setPartitions(2);
                return t;
              });

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ready(client, ns, "adapter-it.shrink"), "False"::equals);
      Condition condition =
          topics.withName("adapter-it.shrink").get().getStatus().getConditions().get(0);
      assertThat(condition.getMessage()).contains("cannot be decreased");
    }
  }

  private static KafkaTopic topic(String name, int partitions, String retention) {
    return new KafkaTopicBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("strimzi.io/cluster", "local")
        .endMetadata()
        .withNewSpec()
        .withPartitions(partitions)
        .withReplicas(3)
        .withConfig(
            Map.of(
                "retention.ms",
                Duration.parse("PT" + retention.toUpperCase()).toMillis(),
                "min.insync.replicas",
                2,
                "compression.type",
                "lz4"))
        .endSpec()
        .build();
  }

  private static String ready(KubernetesClient client, TestNamespace ns, String name) {
    KafkaTopic topic = Crds.topicOperation(client).inNamespace(ns.name()).withName(name).get();
    if (topic == null || topic.getStatus() == null || topic.getStatus().getConditions() == null) {
      return "";
    }
    return topic.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .map(Condition::getStatus)
        .findFirst()
        .orElse("");
  }
}
