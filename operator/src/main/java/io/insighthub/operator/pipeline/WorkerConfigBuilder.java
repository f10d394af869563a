package io.insighthub.operator.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.insighthub.crds.v1alpha1.AggregateSpec;
import io.insighthub.crds.v1alpha1.BatchSource;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.DuplicatesCheck;
import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.FreshnessSpec;
import io.insighthub.crds.v1alpha1.LateArrivalCheck;
import io.insighthub.crds.v1alpha1.NullSpikeCheck;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.PiiSpec;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.PipelineSpec;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.v1alpha1.SessionizeSpec;
import io.insighthub.crds.v1alpha1.SinkSpec;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.crds.v1alpha1.VolumeCheck;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.operator.cdc.CdcTopics;
import io.insighthub.operator.common.Durations;
import io.insighthub.operator.common.WorkerMounts;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Resolves a Pipeline into the {@link WorkerConfig} its workers read: defaults applied, the
 * QualityRules that point to it folded in, topic names computed, Secrets replaced by the paths
 * where they are mounted. Pure: the same inputs always give the same JSON.
 */
public final class WorkerConfigBuilder {
  /** Schedule of a root SQL transform that declares none. */
  public static final String DEFAULT_SQL_SCHEDULE = "*/15 * * * *";

  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  private WorkerConfigBuilder() {}

  /**
   * @param cdcSource the referenced CdcSource for a cdc source, else null
   * @param bootstrapServers where the workers reach Kafka
   */
  public static WorkerConfig build(
      Pipeline pipeline, List<QualityRule> rules, CdcSource cdcSource, String bootstrapServers) {
    PipelineSpec spec = pipeline.getSpec();
    List<QualityRule> folded =
        rules.stream()
            .filter(r -> pointsTo(r, pipeline))
            .sorted(Comparator.comparing(r -> r.getMetadata().getName()))
            .toList();
    return new WorkerConfig(
        WorkerConfig.CURRENT_VERSION,
        pipeline.getMetadata().getNamespace(),
        pipeline.getMetadata().getName(),
        new WorkerConfig.Kafka(
            bootstrapServers,
            PipelineNames.topic(pipeline, "raw"),
            PipelineNames.topic(pipeline, "validated"),
            PipelineNames.topic(pipeline, "dlq"),
            PipelineNames.topic(pipeline, "late"),
            WorkerConfig.WATERMARK_TOPIC),
        copy(spec.source.events, EventsSource.class),
        cdc(pipeline, cdcSource),
        batch(spec.source.batch),
        pii(spec.pii),
        spec.transforms.stream().map(WorkerConfigBuilder::resolve).toList(),
        sink(pipeline, cdcSource),
        quality(spec, folded),
        freshness(spec),
        LifecycleConfigBuilder.build(pipeline));
  }

  /**
   * The SLAs; the archive's only with an archive, so that adding the field left the config (and the
   * pods) of every other Pipeline as it was.
   */
  private static FreshnessSpec freshness(PipelineSpec spec) {
    FreshnessSpec copy = copy(spec.freshness, FreshnessSpec.class);
    if (copy != null && spec.archive == null) {
      copy.archiveSla = null;
    }
    return copy;
  }

  /** Whether a QualityRule names this Pipeline (same namespace). */
  public static boolean pointsTo(QualityRule rule, Pipeline pipeline) {
    return rule.getSpec() != null
        && rule.getSpec().pipelineRef != null
        && Objects.equals(rule.getSpec().pipelineRef.name, pipeline.getMetadata().getName())
        && Objects.equals(rule.getMetadata().getNamespace(), pipeline.getMetadata().getNamespace());
  }

  /** config.json: stable key order, so an unchanged spec renders byte-identical JSON. */
  public static String toJson(WorkerConfig config) {
    try {
      return JSON.writeValueAsString(config) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A short SHA-256 of the rendered config; the pod template annotation that rolls the pods. */
  public static String hash(String json) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  private static WorkerConfig.Cdc cdc(Pipeline pipeline, CdcSource source) {
    if (pipeline.getSpec().source.cdc == null || source == null) {
      return null;
    }
    List<String> tables =
        pipeline.getSpec().source.cdc.tables.isEmpty()
            ? source.getSpec().tables
            : pipeline.getSpec().source.cdc.tables;
    return new WorkerConfig.Cdc(
        CdcTopics.prefix(source), List.copyOf(tables), source.getSpec().deleteMode);
  }

  private static BatchSource batch(BatchSource batch) {
    BatchSource copy = copy(batch, BatchSource.class);
    if (copy != null) {
      // Object-store credentials reach the pod as environment from the Secret, never as config.
      copy.credentialsSecretRef = null;
    }
    return copy;
  }

  private static WorkerConfig.Pii pii(PiiSpec pii) {
    if (pii == null || pii.fields.isEmpty()) {
      return null;
    }
    boolean hashes = pii.fields.stream().anyMatch(f -> f.action == PiiField.Action.HASH);
    String keyFile =
        hashes && pii.hashKeySecretRef != null
            ? WorkerMounts.PII_KEY_DIR + "/" + hashKey(pii)
            : null;
    return new WorkerConfig.Pii(List.copyOf(pii.fields), keyFile, pii.rawPurgeAfterDays);
  }

  static String hashKey(PiiSpec pii) {
    return pii.hashKeySecretRef.key != null
        ? pii.hashKeySecretRef.key
        : WorkerMounts.DEFAULT_HASH_KEY;
  }

  private static TransformSpec resolve(TransformSpec transform) {
    TransformSpec t = copy(transform, TransformSpec.class);
    if (t.table == null) {
      t.table = PipelineNames.table(t.name);
    }
    if (t.materialization == null && t.type == TransformSpec.Type.SQL) {
      t.materialization = TransformSpec.Materialization.TABLE;
    }
    if (t.type == TransformSpec.Type.SQL) {
      if (t.retries == null) {
        t.retries = 2;
      }
      if (t.schedule == null && t.dependsOn.isEmpty()) {
        t.schedule = DEFAULT_SQL_SCHEDULE;
      }
    } else {
      t.materialization = null;
      t.retries = null;
    }
    if (t.type == TransformSpec.Type.SESSIONIZE && t.sessionize == null) {
      t.sessionize = new SessionizeSpec();
    }
    if (t.type == TransformSpec.Type.AGGREGATE && t.aggregate == null) {
      t.aggregate = new AggregateSpec();
    }
    return t;
  }

  /** The sink of the Pipeline, or for a CDC Pipeline the sink of its CdcSource. */
  static SinkSpec sinkSpec(Pipeline pipeline, CdcSource cdcSource) {
    if (pipeline.getSpec().sink != null) {
      return pipeline.getSpec().sink;
    }
    return cdcSource != null ? cdcSource.getSpec().sink : null;
  }

  private static WorkerConfig.Sink sink(Pipeline pipeline, CdcSource cdcSource) {
    SinkSpec sink = sinkSpec(pipeline, cdcSource);
    if (sink == null) {
      return null;
    }
    String table =
        sink.table != null
            ? sink.table
            : pipeline.getSpec().source.cdc != null
                ? null
                : PipelineNames.table(pipeline.getMetadata().getName());
    return new WorkerConfig.Sink(
        WorkerMounts.SINK_DIR, sink.database, sink.schema, table, sink.mode);
  }

  private static WorkerConfig.Quality quality(PipelineSpec spec, List<QualityRule> rules) {
    SchemaDriftCheck.Policy drift =
        rules.stream()
            .map(r -> r.getSpec().schemaDrift)
            .filter(Objects::nonNull)
            .map(d -> d.policy)
            .filter(Objects::nonNull)
            .max(Comparator.comparingInt(Enum::ordinal))
            .orElse(SchemaDriftCheck.Policy.EVOLVE);
    // The strictest lateness wins when several rules set one.
    String lateness =
        rules.stream()
            .map(r -> r.getSpec().lateArrival)
            .filter(Objects::nonNull)
            .map(l -> l.allowedLateness)
            .filter(Objects::nonNull)
            .min(Comparator.comparing(Durations::parse))
            .orElse(spec.source.events != null ? spec.source.events.allowedLateness : null);
    String dedupWindow = spec.source.events != null ? spec.source.events.dedupWindow : null;
    return new WorkerConfig.Quality(
        drift,
        lateness,
        dedupWindow,
        rules.stream().map(r -> r.getMetadata().getName()).toList(),
        rules.stream().flatMap(WorkerConfigBuilder::checks).toList());
  }

  /** One entry per check the rule declares, with its severity and action. */
  private static Stream<QualityCheck> checks(QualityRule rule) {
    QualityRuleSpec spec = rule.getSpec();
    List<QualityCheck> checks = new ArrayList<>();
    if (spec.schemaDrift != null) {
      checks.add(
          check(
              rule,
              QualityCheck.Kind.SCHEMA_DRIFT,
              copy(spec.schemaDrift, SchemaDriftCheck.class),
              null,
              null,
              null,
              null));
    }
    if (spec.duplicates != null) {
      checks.add(
          check(
              rule,
              QualityCheck.Kind.DUPLICATES,
              null,
              copy(spec.duplicates, DuplicatesCheck.class),
              null,
              null,
              null));
    }
    if (spec.nullSpike != null) {
      checks.add(
          check(
              rule,
              QualityCheck.Kind.NULL_SPIKE,
              null,
              null,
              copy(spec.nullSpike, NullSpikeCheck.class),
              null,
              null));
    }
    if (spec.lateArrival != null) {
      checks.add(
          check(
              rule,
              QualityCheck.Kind.LATE_ARRIVAL,
              null,
              null,
              null,
              copy(spec.lateArrival, LateArrivalCheck.class),
              null));
    }
    if (spec.volume != null) {
      checks.add(
          check(
              rule,
              QualityCheck.Kind.VOLUME,
              null,
              null,
              null,
              null,
              copy(spec.volume, VolumeCheck.class)));
    }
    return checks.stream();
  }

  private static QualityCheck check(
      QualityRule rule,
      QualityCheck.Kind kind,
      SchemaDriftCheck drift,
      DuplicatesCheck duplicates,
      NullSpikeCheck nulls,
      LateArrivalCheck late,
      VolumeCheck volume) {
    QualityRuleSpec spec = rule.getSpec();
    return new QualityCheck(
        rule.getMetadata().getName(),
        spec.table,
        kind,
        spec.severity,
        spec.action,
        drift,
        duplicates,
        nulls,
        late,
        volume);
  }

  private static <T> T copy(T value, Class<T> type) {
    return value == null ? null : JSON.convertValue(value, type);
  }
}
