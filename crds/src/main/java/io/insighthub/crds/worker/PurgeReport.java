package io.insighthub.crds.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * What one {@code pii-purge} run did and found, published to {@link WorkerConfig#WATERMARK_TOPIC}
 * under {@link #key()} (the compacted topic keeps the latest run). The operator turns a new run
 * into an Event on the Pipeline and its {@code PiiRetentionMet} condition; workers never call the
 * Kubernetes API. Object keys, table names and counts only: never a value.
 *
 * @param namespace namespace of the Pipeline
 * @param pipeline name of the Pipeline
 * @param runId the run's id, also in every OPS.AUDIT row it wrote
 * @param startedAt when the run started
 * @param finishedAt when it ended
 * @param succeeded whether every action succeeded
 * @param message one line for the Event, e.g. {@code purged 120 archive objects (3.2 GB), ...}
 * @param actions what the run changed, per layer and action
 * @param rawPii per layer that may hold raw PII: the oldest raw PII it holds after the run
 * @param problems what failed or was found wrong (a topic retention over the limit), at most
 *     {@value #MAX_PROBLEMS}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PurgeReport(
    String namespace,
    String pipeline,
    String runId,
    Instant startedAt,
    Instant finishedAt,
    boolean succeeded,
    String message,
    List<ActionCount> actions,
    List<LayerAge> rawPii,
    List<String> problems) {

  /** The {@link Watermark#table()}-like suffix of the key, so a reader can tell it apart. */
  public static final String KEY_SUFFIX = "lifecycle:pii-purge";

  public static final int MAX_PROBLEMS = 20;

  public PurgeReport {
    actions = actions == null ? List.of() : List.copyOf(actions);
    rawPii = rawPii == null ? List.of() : List.copyOf(rawPii);
    problems = problems == null ? List.of() : List.copyOf(problems);
  }

  /** The record key: one entry per Pipeline in the compacted topic. */
  public String key() {
    return key(namespace, pipeline);
  }

  public static String key(String namespace, String pipeline) {
    return namespace + "/" + pipeline + "/" + KEY_SUFFIX;
  }

  /** Whether a record key of the watermark topic is a purge report's. */
  public static boolean isKey(String key) {
    return key != null && key.endsWith("/" + KEY_SUFFIX);
  }

  /**
   * One kind of change a run made.
   *
   * @param layer archive, raw (warehouse), curated or kafka
   * @param action as in OPS.AUDIT: PURGE_PII, NULL_PII, DELETE_EXPIRED
   * @param items objects (archive) or tables (warehouse) changed
   * @param rows rows or records affected
   * @param bytes bytes rewritten or deleted (archive)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ActionCount(String layer, String action, long items, long rows, long bytes) {}

  /**
   * The oldest raw PII one layer may hold after the run.
   *
   * @param layer archive, raw (a warehouse table), kafka
   * @param location the archive prefix, table or topic
   * @param oldest the oldest event time that may still hold raw PII; null when the layer holds none
   * @param limitDays the retention limit that applies ({@link Lifecycle#MAX_PII_DAYS})
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LayerAge(String layer, String location, Instant oldest, int limitDays) {}
}
