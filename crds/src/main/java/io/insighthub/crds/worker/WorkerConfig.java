package io.insighthub.crds.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.insighthub.crds.v1alpha1.BatchSource;
import io.insighthub.crds.v1alpha1.CdcSourceSpec;
import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.FreshnessSpec;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.v1alpha1.SinkSpec;
import io.insighthub.crds.v1alpha1.TransformSpec;
import java.util.List;

/**
 * The resolved configuration of one Pipeline's (or CdcSource's) workers: the spec with every
 * default applied, the QualityRules that point to it folded in, topic names computed, and Secrets
 * replaced by the paths where they are mounted. The operator writes it as {@code config.json} into
 * the worker ConfigMap; every worker subcommand reads it at start.
 *
 * @param version contract version; a worker refuses a version it does not know
 * @param namespace namespace of the owning resource
 * @param pipeline name of the owning Pipeline (or CdcSource)
 * @param kafka where the topics are
 * @param events the event schema, for an events source
 * @param cdc the captured tables, for a CDC source
 * @param batch the files to ingest, for a batch source
 * @param pii what happens to personal data, with the HMAC key as a mounted file
 * @param transforms sessionize, aggregate and SQL transforms, defaults applied
 * @param sink the warehouse target, with its connection Secret as a mounted directory
 * @param quality the folded-in QualityRules
 * @param freshness the SLAs, for the watermarks the loaders publish
 * @param lifecycle the raw archive, the PII purge and the retention of each layer; absent in
 *     configurations rendered before it existed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record WorkerConfig(
    int version,
    String namespace,
    String pipeline,
    Kafka kafka,
    EventsSource events,
    Cdc cdc,
    BatchSource batch,
    Pii pii,
    List<TransformSpec> transforms,
    Sink sink,
    Quality quality,
    FreshnessSpec freshness,
    Lifecycle lifecycle) {

  public static final int CURRENT_VERSION = 1;

  /** A configuration without lifecycle settings (no archive, nothing expired). */
  public WorkerConfig(
      int version,
      String namespace,
      String pipeline,
      Kafka kafka,
      EventsSource events,
      Cdc cdc,
      BatchSource batch,
      Pii pii,
      List<TransformSpec> transforms,
      Sink sink,
      Quality quality,
      FreshnessSpec freshness) {
    this(
        version,
        namespace,
        pipeline,
        kafka,
        events,
        cdc,
        batch,
        pii,
        transforms,
        sink,
        quality,
        freshness,
        null);
  }

  /** Name of the file in the worker ConfigMap, mounted at {@link #MOUNT_PATH}. */
  public static final String FILE_NAME = "config.json";

  public static final String MOUNT_PATH = "/etc/insighthub";

  /** The port of a worker's /metrics, /healthz and /readyz: the pod's {@code metrics} port. */
  public static final int METRICS_PORT = 9404;

  /**
   * Environment variable naming the directory for a worker's local state (Kafka Streams stores);
   * the operator points it at the pod's {@code state} volume.
   */
  public static final String STATE_DIR_ENV = "INSIGHTHUB_STATE_DIR";

  /**
   * Environment variable bounding the dedup ids a validate process spills to its state directory;
   * the operator derives it from the stage's {@code stateStorage}.
   */
  public static final String MAX_SPILLED_DEDUP_IDS_ENV =
      "INSIGHTHUB_VALIDATE_MAX_SPILLED_DEDUP_IDS";

  /** The compacted topic all loaders publish their watermarks to. */
  public static final String WATERMARK_TOPIC = "insighthub.watermarks";

  /**
   * The output topic of a streaming transform ({@code sessionize} or {@code aggregate}): {@code
   * <ns>.<pipeline>.<transform name>}, compacted and keyed by the row's identity so the loader's
   * MERGE keeps the latest version. The operator creates it; the aggregate worker writes it.
   */
  public String transformTopic(String transformName) {
    return namespace + "." + pipeline + "." + transformName;
  }

  /**
   * Kafka connection and the Pipeline's topics.
   *
   * @param bootstrapServers comma-separated host:port list
   * @param raw topic of the raw layer, {@code <ns>.<pipeline>.raw}
   * @param validated topic of the validated layer
   * @param dlq dead-letter topic; records carry reason headers
   * @param late topic of events later than the allowed lateness
   * @param watermarks the shared watermark topic
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Kafka(
      String bootstrapServers,
      String raw,
      String validated,
      String dlq,
      String late,
      String watermarks) {}

  /**
   * The change topics of a CdcSource and how the loader applies them.
   *
   * @param topicPrefix Debezium topic prefix; a table's topic is {@code prefix.schema.table}
   * @param tables captured tables as schema.table
   * @param deleteMode soft or hard deletes in the warehouse
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Cdc(String topicPrefix, List<String> tables, CdcSourceSpec.DeleteMode deleteMode) {}

  /**
   * Personal-data handling.
   *
   * @param fields fields and their action
   * @param hashKeyFile file holding the HMAC key (a mounted Secret key); null when nothing hashes
   * @param rawPurgeAfterDays age after which pii-purge nulls raw PII columns
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Pii(List<PiiField> fields, String hashKeyFile, int rawPurgeAfterDays) {}

  /**
   * The warehouse target.
   *
   * @param connectionDir directory of the mounted connection Secret (key {@code url} and the
   *     driver's credential keys, one file each)
   * @param database warehouse database
   * @param schema schema for loaded tables
   * @param table table for loaded events
   * @param mode merge or append
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Sink(
      String connectionDir, String database, String schema, String table, SinkSpec.Mode mode) {}

  /**
   * QualityRules folded into the workers' configuration.
   *
   * @param schemaDrift the drift policy (the strictest of the rules that set one; evolve if none)
   * @param allowedLateness events later than this by event time go to the late topic
   * @param dedupWindow window within which a repeated event id is a duplicate
   * @param rules the names of the QualityRules folded in, for status and metrics
   * @param checks every check of every rule, for the stage that evaluates it
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Quality(
      SchemaDriftCheck.Policy schemaDrift,
      String allowedLateness,
      String dedupWindow,
      List<String> rules,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<QualityCheck> checks) {
    public Quality {
      checks = checks == null ? List.of() : List.copyOf(checks);
    }

    /** Without checks (as before they were folded in). */
    public Quality(
        SchemaDriftCheck.Policy schemaDrift,
        String allowedLateness,
        String dedupWindow,
        List<String> rules) {
      this(schemaDrift, allowedLateness, dedupWindow, rules, List.of());
    }

    /** The checks of one kind. */
    public List<QualityCheck> checks(QualityCheck.Kind kind) {
      return checks.stream().filter(c -> c.kind() == kind).toList();
    }
  }
}
