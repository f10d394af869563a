package io.insighthub.e2e.scenarios;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The samples as they are, except what a laptop cannot be: every worker Deployment at one replica
 * (the samples size them for 150K events/s), the raw archive's objects written every {@value
 * #LOCAL_ARCHIVE_OBJECT_AGE} (a few hundred events/s fill no 64Mi range), the CdcSource pointed at
 * the local PostgreSQL without TLS, and its sink at its own DuckDB file (one writer process per
 * DuckDB file). The result is written next to the stack's logs, each override named in the file's
 * header, and applied with kubectl as the samples would be.
 */
public final class LocalOverlay {
  /**
   * Partitions per topic at most: the samples' 24 let 24 pods share a stage at 150K events/s; one
   * replica on a laptop runs a task per partition (with a RocksDB store and changelog partition
   * each, and every transaction marking every partition), which cost more CPU at rest than the
   * events did at 5K events/s (BENCHMARKS.md).
   */
  static final int LOCAL_PARTITIONS = 2;

  /** How long a record waits for its archive object locally (the samples' 5m, shortened). */
  static final String LOCAL_ARCHIVE_OBJECT_AGE = "15s";

  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private LocalOverlay() {}

  /** Writes the overlaid {@code files} of {@code samples} into {@code out}; returns {@code out}. */
  public static Path write(
      Path samples, List<String> files, Path out, String postgresHost, int postgresPort) {
    try {
      Files.createDirectories(out);
      try (var old = Files.list(out)) {
        for (Path p : old.toList()) {
          Files.delete(p);
        }
      }
      for (String file : files) {
        List<String> overrides = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        try (JsonParser parser = YAML.getFactory().createParser(samples.resolve(file).toFile());
            MappingIterator<Map<String, Object>> docs =
                YAML.readerForMapOf(Object.class).readValues(parser)) {
          while (docs.hasNext()) {
            Map<String, Object> doc = docs.next();
            if (doc == null || doc.isEmpty()) {
              continue;
            }
            overlay(doc, postgresHost, postgresPort, overrides);
            text.append("---\n").append(YAML.writeValueAsString(doc));
          }
        }
        StringBuilder header = new StringBuilder("# samples/" + file + " with local overrides:\n");
        if (overrides.isEmpty()) {
          header.append("#   none\n");
        }
        overrides.forEach(o -> header.append("#   ").append(o).append('\n'));
        Files.writeString(out.resolve(file), header.append(text).toString());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the local overlay of the samples", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static void overlay(
      Map<String, Object> doc, String postgresHost, int postgresPort, List<String> overrides) {
    String kind = String.valueOf(doc.get("kind"));
    String name = String.valueOf(((Map<String, Object>) doc.get("metadata")).get("name"));
    Map<String, Object> spec = (Map<String, Object>) doc.get("spec");
    if (spec == null) {
      return;
    }
    if (kind.equals("Pipeline") && spec.get("layers") instanceof Map<?, ?> layers) {
      for (var layer : ((Map<String, Object>) layers).entrySet()) {
        if (layer.getValue() instanceof Map<?, ?> topic
            && topic.get("partitions") instanceof Integer partitions
            && partitions > LOCAL_PARTITIONS) {
          ((Map<String, Object>) topic).put("partitions", LOCAL_PARTITIONS);
          overrides.add(
              kind
                  + " "
                  + name
                  + ": spec.layers."
                  + layer.getKey()
                  + ".partitions="
                  + LOCAL_PARTITIONS
                  + " (one replica per stage runs one stream thread per core)");
        }
      }
    }
    if (kind.equals("Pipeline") && spec.get("workers") instanceof Map<?, ?> workers) {
      for (var stage : ((Map<String, Object>) workers).entrySet()) {
        if (stage.getValue() instanceof Map<?, ?> worker) {
          ((Map<String, Object>) worker).put("replicas", 1);
          overrides.add(kind + " " + name + ": spec.workers." + stage.getKey() + ".replicas=1");
        }
      }
    }
    if (kind.equals("Pipeline") && spec.get("archive") instanceof Map<?, ?> archive) {
      ((Map<String, Object>) archive).put("maxObjectAge", LOCAL_ARCHIVE_OBJECT_AGE);
      overrides.add(
          kind
              + " "
              + name
              + ": spec.archive.maxObjectAge="
              + LOCAL_ARCHIVE_OBJECT_AGE
              + " (objects within seconds at a few hundred events/s)");
    }
    if (kind.equals("CdcSource")) {
      Map<String, Object> loader =
          (Map<String, Object>) spec.computeIfAbsent("loader", k -> new LinkedHashMap<>());
      loader.put("replicas", 1);
      overrides.add(kind + " " + name + ": spec.loader.replicas=1");
      if (postgresHost != null) {
        Map<String, Object> database = (Map<String, Object>) spec.get("database");
        database.put("host", postgresHost);
        database.put("port", postgresPort);
        database.put("sslMode", "disable");
        overrides.add(
            kind
                + " "
                + name
                + ": spec.database host="
                + postgresHost
                + " port="
                + postgresPort
                + " sslMode=disable (the local PostgreSQL)");
      }
      Map<String, Object> sink = (Map<String, Object>) spec.get("sink");
      ((Map<String, Object>) sink.get("connectionSecretRef"))
          .put("name", InsightHubStack.BILLING_WAREHOUSE_SECRET);
      overrides.add(
          kind
              + " "
              + name
              + ": spec.sink.connectionSecretRef.name="
              + InsightHubStack.BILLING_WAREHOUSE_SECRET
              + " (its own DuckDB file)");
    }
  }
}
