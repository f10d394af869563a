package io.insighthub.operator.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.QualityRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The repository's samples/ as typed objects, placed in a namespace as the API server would. */
public final class Samples {
  public static final String NAMESPACE = "analytics";

  private Samples() {}

  public static Path repoRoot() {
    return Path.of(System.getProperty("insighthub.repoRoot", "..")).toAbsolutePath().normalize();
  }

  public static Path dir() {
    return repoRoot().resolve("samples");
  }

  /** Every document of every sample file, as generic resources. */
  public static List<GenericKubernetesResource> all() {
    List<GenericKubernetesResource> resources = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
          if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
            resources.add(Serialization.unmarshal(doc, GenericKubernetesResource.class));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return resources;
  }

  public static Pipeline pipeline(String name) {
    return one(Pipeline.class, "Pipeline", name);
  }

  public static CdcSource cdcSource(String name) {
    return one(CdcSource.class, "CdcSource", name);
  }

  public static List<QualityRule> qualityRules() {
    return all().stream()
        .filter(r -> r.getKind().equals("QualityRule"))
        .map(r -> placed(convert(r, QualityRule.class)))
        .toList();
  }

  public static List<String> pipelineNames() {
    return all().stream()
        .filter(r -> r.getKind().equals("Pipeline"))
        .map(r -> r.getMetadata().getName())
        .toList();
  }

  private static <T extends HasMetadata> T one(Class<T> type, String kind, String name) {
    return all().stream()
        .filter(r -> r.getKind().equals(kind) && r.getMetadata().getName().equals(name))
        .findFirst()
        .map(r -> placed(convert(r, type)))
        .orElseThrow(() -> new IllegalArgumentException("no sample " + kind + " " + name));
  }

  private static <T> T convert(GenericKubernetesResource resource, Class<T> type) {
    return Serialization.unmarshal(Serialization.asJson(resource), type);
  }

  private static <T extends HasMetadata> T placed(T resource) {
    resource.getMetadata().setNamespace(NAMESPACE);
    resource.getMetadata().setGeneration(1L);
    resource.getMetadata().setUid("00000000-0000-0000-0000-000000000001");
    return resource;
  }
}
