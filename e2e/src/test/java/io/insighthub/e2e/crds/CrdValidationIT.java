package io.insighthub.e2e.crds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The API server itself enforces the resources' schema, defaults and CEL rules. */
@ExtendWith(KubeApiServerExtension.class)
class CrdValidationIT {
  private static final String EXPECT = "expect";

  static Stream<Arguments> invalidResources() throws IOException {
    return load("/crds/invalid-resources.yaml").stream()
        .map(r -> Arguments.of(r.getKind() + "/" + r.getMetadata().getName(), r));
  }

  @ParameterizedTest(name = "{0} is rejected")
  @MethodSource("invalidResources")
  void rejectsInvalidResourceWithMessageNamingFieldAndFix(
      String name, GenericKubernetesResource resource, KubernetesClient client, TestNamespace ns) {
    String expected = resource.getMetadata().getAnnotations().remove(EXPECT);

    assertThatThrownBy(() -> client.resource(resource).inNamespace(ns.name()).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).as("HTTP status").isEqualTo(422);
              assertThat(e.getStatus().getMessage()).contains(expected);
            });
  }

  @Test
  void acceptsValidResourcesAndFillsDefaults(KubernetesClient client, TestNamespace ns)
      throws IOException {
    for (GenericKubernetesResource resource : load("/crds/valid-resources.yaml")) {
      client.resource(resource).inNamespace(ns.name()).createOr(existing -> existing.update());
    }

    GenericKubernetesResource pipeline = get(client, ns, "Pipeline", "clicks");
    assertThat((Object) pipeline.get("spec", "layers", "raw", "retentionDays")).isEqualTo(7);
    assertThat((Object) pipeline.get("spec", "layers", "raw", "partitions")).isEqualTo(12);
    assertThat((Object) pipeline.get("spec", "freshness", "streamingSla")).isEqualTo("2m");
    assertThat((Object) pipeline.get("spec", "suspend")).isEqualTo(false);
    assertThat((Object) pipeline.get("spec", "workers", "validate", "stateStorage"))
        .as("any positive quantity, binary or decimal")
        .isEqualTo("1.5Gi");
    assertThat((Object) pipeline.get("spec", "workers", "aggregate", "stateStorage"))
        .isEqualTo("20G");
    assertThat((Object) pipeline.get("spec", "workers", "load", "stateStorage"))
        .as("no default: no limit and no request, as before the field existed")
        .isNull();
    GenericKubernetesResource backfill = get(client, ns, "Backfill", "clicks-2025");
    assertThat((Object) backfill.get("spec", "chunkSize")).isEqualTo("24h");
    assertThat((Object) backfill.get("spec", "priority")).isEqualTo("low");
    GenericKubernetesResource cdc = get(client, ns, "CdcSource", "billing-db");
    assertThat((Object) cdc.get("spec", "snapshotMode")).isEqualTo("initial");
  }

  @Test
  void refusesChangingImmutableFields(KubernetesClient client, TestNamespace ns)
      throws IOException {
    for (GenericKubernetesResource resource : load("/crds/valid-resources.yaml")) {
      client.resource(resource).inNamespace(ns.name()).createOr(existing -> existing.update());
    }

    assertUpdateRejected(
        client,
        ns,
        "CdcSource",
        "billing-db",
        spec -> spec.put("slotName", "insighthub_billing_v2"),
        "spec.slotName is immutable");
    assertUpdateRejected(
        client,
        ns,
        "CdcSource",
        "billing-db",
        spec -> spec.put("publicationName", "other"),
        "spec.publicationName is immutable");
    assertUpdateRejected(
        client,
        ns,
        "Backfill",
        "clicks-2025",
        spec -> spec.put("from", "2024-01-01T00:00:00Z"),
        "spec.from is immutable");
    assertUpdateRejected(
        client,
        ns,
        "Pipeline",
        "clicks",
        spec -> {
          spec.remove("source");
          spec.put(
              "source",
              Map.of("batch", Map.of("uri", "s3://b/", "format", "csv", "schedule", "0 4 * * *")));
        },
        "the kind of source (events, cdc or batch) cannot change after creation");
    assertUpdateRejected(
        client,
        ns,
        "Pipeline",
        "clicks",
        spec -> layer(spec, "raw").put("partitions", 6),
        "partitions can only grow");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> layer(Map<String, Object> spec, String name) {
    return (Map<String, Object>) ((Map<String, Object>) spec.get("layers")).get(name);
  }

  @SuppressWarnings("unchecked")
  private static void assertUpdateRejected(
      KubernetesClient client,
      TestNamespace ns,
      String kind,
      String name,
      Consumer<Map<String, Object>> change,
      String expected) {
    GenericKubernetesResource current = get(client, ns, kind, name);
    change.accept((Map<String, Object>) current.getAdditionalProperties().get("spec"));
    assertThatThrownBy(() -> client.resource(current).inNamespace(ns.name()).update())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getMessage()).contains(expected);
            });
  }

  private static GenericKubernetesResource get(
      KubernetesClient client, TestNamespace ns, String kind, String name) {
    return client
        .genericKubernetesResources("data.insighthub.io/v1alpha1", kind)
        .inNamespace(ns.name())
        .withName(name)
        .get();
  }

  private static List<GenericKubernetesResource> load(String resource) throws IOException {
    try (InputStream in = CrdValidationIT.class.getResourceAsStream(resource)) {
      String yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return Stream.of(yaml.split("(?m)^---$"))
          .filter(doc -> doc.contains("kind:"))
          .map(
              doc ->
                  io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
                      doc, GenericKubernetesResource.class))
          .toList();
    }
  }
}
