package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.Quantity;
import io.insighthub.crds.v1alpha1.ArchiveSpec;
import io.insighthub.crds.v1alpha1.Layers;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.PipelineSpec;
import io.insighthub.crds.v1alpha1.TopicLayer;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.crds.worker.Lifecycle;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves what a Pipeline keeps and expires into the {@link Lifecycle} part of its worker config:
 * the archive's bucket and prefix, the Kafka topics that may hold raw PII with the retention the
 * operator renders for them, and the curated tables whose rows expire, with their time columns.
 */
final class LifecycleConfigBuilder {
  /** Time columns of the tables the streaming transforms' loader writes. */
  static final String SESSION_TIME_COLUMN = "session_end";

  static final String USAGE_TIME_COLUMN = "window_start";

  private LifecycleConfigBuilder() {}

  /** Null when there is nothing to keep or expire (no archive, PII or expiring table). */
  static Lifecycle build(Pipeline pipeline) {
    PipelineSpec spec = pipeline.getSpec();
    boolean pii = spec.pii != null && !spec.pii.fields.isEmpty();
    Lifecycle.Archive archive = archive(pipeline);
    List<Lifecycle.Topic> topics = pii || archive != null ? piiTopics(pipeline, pii) : List.of();
    List<Lifecycle.Table> tables = curatedTables(spec);
    if (archive == null && !pii && tables.isEmpty()) {
      return null;
    }
    return new Lifecycle(
        archive, pii ? spec.pii.rawPurgeAfterDays : 0, Lifecycle.MAX_PII_DAYS, topics, tables);
  }

  private static Lifecycle.Archive archive(Pipeline pipeline) {
    ArchiveSpec archive = pipeline.getSpec().archive;
    if (archive == null || pipeline.getSpec().source.events == null) {
      return null;
    }
    String[] at =
        Lifecycle.Archive.bucketAndPrefix(
            archive.uri, pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName());
    return new Lifecycle.Archive(
        at[0],
        at[1],
        archive.format,
        archive.retentionDays,
        Quantity.getAmountInBytes(new Quantity(archive.maxObjectSize)).longValueExact(),
        archive.maxObjectAge,
        pipeline.getSpec().source.events.eventTimeField);
  }

  /**
   * An events source's topics that hold records as received: raw and dlq whenever PII is declared
   * (raw payloads), and any layer marked containsPii. Other sources have no such topics.
   */
  private static List<Lifecycle.Topic> piiTopics(Pipeline pipeline, boolean pii) {
    if (pipeline.getSpec().source.events == null) {
      return List.of();
    }
    Layers layers = pipeline.getSpec().layers;
    List<Lifecycle.Topic> topics = new ArrayList<>();
    topic(pipeline, "raw", layers.raw, pii, topics);
    topic(pipeline, "dlq", layers.dlq, pii, topics);
    topic(pipeline, "late", layers.late, false, topics);
    return topics;
  }

  private static void topic(
      Pipeline pipeline,
      String layer,
      TopicLayer spec,
      boolean holdsRaw,
      List<Lifecycle.Topic> to) {
    if (holdsRaw || Boolean.TRUE.equals(spec.containsPii)) {
      to.add(
          new Lifecycle.Topic(
              PipelineNames.topic(pipeline, layer), layer, spec.getRetentionDays()));
    }
  }

  /**
   * The curated tables with a time column: the sessionize and aggregate outputs, and SQL models
   * that declare {@code timeColumn}. Rows older than the curated retention are deleted.
   */
  private static List<Lifecycle.Table> curatedTables(PipelineSpec spec) {
    int days = spec.layers.curated.retentionDays;
    List<Lifecycle.Table> tables = new ArrayList<>();
    for (TransformSpec t : spec.transforms) {
      String column =
          switch (t.type) {
            case SESSIONIZE -> SESSION_TIME_COLUMN;
            case AGGREGATE -> USAGE_TIME_COLUMN;
            case SQL -> t.timeColumn;
            case null -> null;
          };
      if (column == null) {
        continue;
      }
      // Named as their writers name them: the load stage after the transform, ELT after table.
      String table =
          t.type == TransformSpec.Type.SQL && t.table != null
              ? PipelineNames.table(t.table)
              : PipelineNames.table(t.name);
      tables.add(
          new Lifecycle.Table(
              "CURATED." + table,
              "curated",
              column,
              Lifecycle.TableAction.DELETE,
              days,
              List.of()));
    }
    return tables;
  }
}
