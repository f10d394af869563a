package io.insighthub.operator.freshness;

import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.FreshnessSpec;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.PipelineSpec;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.crds.worker.Lifecycle;
import io.insighthub.operator.common.Durations;
import io.insighthub.operator.pipeline.PipelineNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which warehouse tables a resource loads, under which name their loader publishes watermarks, and
 * the SLA each one is held to. The names follow what the workers write (runtime-workers' LoadStage
 * and CdcLoadStage), upper case as the warehouse shows them.
 */
public final class FreshnessTables {
  /** Schema the load stage writes validated events to. */
  static final String VALIDATED = "VALIDATED";

  /** Schema of the tables built by transforms. */
  static final String CURATED = "CURATED";

  /** Schema cdc-load writes to when its sink names none. */
  static final String CDC_DEFAULT_SCHEMA = "RAW";

  /**
   * One table to track.
   *
   * @param owner the Pipeline or CdcSource name the loader publishes the watermark under
   * @param table SCHEMA.TABLE
   * @param sla how old its newest row may be
   */
  public record Tracked(String owner, String table, Duration sla) {}

  private FreshnessTables() {}

  /**
   * The tables a Pipeline loads: an events source's validated table and the tables of its
   * sessionize and aggregate transforms (streaming SLA), a cdc source's tables as its CdcSource's
   * cdc-load writes them (streaming SLA), a batch source's table and every SQL model (curated SLA).
   *
   * @param cdcSource the CdcSource a cdc source names; needed for its tables' names
   */
  public static List<Tracked> of(Pipeline pipeline, CdcSource cdcSource) {
    PipelineSpec spec = pipeline.getSpec();
    String name = pipeline.getMetadata().getName();
    FreshnessSpec slas = spec.freshness != null ? spec.freshness : new FreshnessSpec();
    Duration streaming = Durations.parse(slas.streamingSla);
    Duration curated = Durations.parse(slas.curatedSla);
    List<Tracked> tables = new ArrayList<>();
    if (spec.source != null && spec.source.events != null) {
      tables.add(new Tracked(name, VALIDATED + "." + sinkTable(pipeline), streaming));
    }
    if (spec.source != null && spec.source.batch != null) {
      String schema =
          spec.sink != null && spec.sink.schema != null ? upper(spec.sink.schema) : VALIDATED;
      tables.add(new Tracked(name, schema + "." + sinkTable(pipeline), curated));
    }
    if (spec.source != null && spec.source.cdc != null && cdcSource != null) {
      List<String> captured =
          spec.source.cdc.tables.isEmpty() ? cdcSource.getSpec().tables : spec.source.cdc.tables;
      for (String table : captured) {
        tables.add(
            new Tracked(cdcSource.getMetadata().getName(), cdcTable(cdcSource, table), streaming));
      }
    }
    if (spec.source != null && spec.source.events != null && spec.archive != null) {
      // The archive worker names its watermark after the archive's location.
      tables.add(
          new Tracked(
              name,
              Lifecycle.Archive.location(
                  spec.archive.uri, pipeline.getMetadata().getNamespace(), name),
              Durations.parse(
                  slas.archiveSla != null ? slas.archiveSla : FreshnessSpec.DEFAULT_ARCHIVE_SLA)));
    }
    for (TransformSpec t : spec.transforms) {
      if (t.type == TransformSpec.Type.SQL) {
        String table = t.table != null ? upper(t.table) : PipelineNames.table(t.name);
        tables.add(new Tracked(name, CURATED + "." + table, curated));
      } else if (t.type != null) {
        // The load stage names a streamed transform's table after the transform.
        tables.add(new Tracked(name, CURATED + "." + PipelineNames.table(t.name), streaming));
      }
    }
    return tables.stream().distinct().toList();
  }

  /** The tables a CdcSource's cdc-load writes, SCHEMA.TABLE, in spec order. */
  public static List<String> of(CdcSource source) {
    return source.getSpec().tables.stream().map(t -> cdcTable(source, t)).toList();
  }

  /**
   * Where cdc-load writes a captured table: {@code public.invoices} lands in {@code <sink
   * schema>.INVOICES}, {@code billing.invoices} in {@code <sink schema>.BILLING_INVOICES}.
   */
  static String cdcTable(CdcSource source, String sourceTable) {
    var sink = source.getSpec().sink;
    String schema = sink != null && sink.schema != null ? sink.schema : CDC_DEFAULT_SCHEMA;
    int dot = sourceTable.indexOf('.');
    String sourceSchema = sourceTable.substring(0, dot);
    String table = sourceTable.substring(dot + 1);
    return upper(schema)
        + "."
        + upper(sourceSchema.equals("public") ? table : sourceSchema + "_" + table);
  }

  private static String sinkTable(Pipeline pipeline) {
    var sink = pipeline.getSpec().sink;
    return sink != null && sink.table != null
        ? upper(sink.table)
        : PipelineNames.table(pipeline.getMetadata().getName());
  }

  private static String upper(String name) {
    return name.toUpperCase(Locale.ROOT);
  }
}
