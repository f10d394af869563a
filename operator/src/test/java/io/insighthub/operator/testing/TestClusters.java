package io.insighthub.operator.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/** What a Pipeline's references need in a test namespace: a Strimzi Kafka and the sink Secret. */
public final class TestClusters {
  private TestClusters() {}

  /**
   * A Strimzi {@code Kafka} named {@code name}; with {@code plainListener} it declares the plain
   * internal listener on 9092, otherwise none.
   */
  public static void kafka(
      KubernetesClient client, String namespace, String name, boolean plainListener) {
    GenericKubernetesResource kafka = new GenericKubernetesResource();
    kafka.setApiVersion("kafka.strimzi.io/v1");
    kafka.setKind("Kafka");
    kafka.setMetadata(new ObjectMetaBuilder().withName(name).build());
    List<Map<String, Object>> listeners =
        plainListener
            ? List.of(Map.of("name", "plain", "port", 9092, "type", "internal", "tls", false))
            : List.of();
    kafka.setAdditionalProperty("spec", Map.of("kafka", Map.of("listeners", listeners)));
    client.resource(kafka).inNamespace(namespace).create();
  }

  /** The Secret {@link TestPipelines#SINK_SECRET} with a DuckDB URL. */
  public static void sinkSecret(KubernetesClient client, String namespace) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(TestPipelines.SINK_SECRET)
                .withNamespace(namespace)
                .endMetadata()
                .withStringData(Map.of("url", "jdbc:duckdb:"))
                .build())
        .create();
  }
}
