package io.insighthub.crds.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.insighthub.crds.v1alpha1.ArchiveSpec;
import java.util.List;

/**
 * What the {@code archive} and {@code pii-purge} stages keep, minimize and delete for one Pipeline,
 * resolved by the operator from the spec (defaults applied, names computed): the archive's
 * location, the Kafka topics that may hold raw PII, and the warehouse tables whose rows expire.
 *
 * @param archive the raw archive; null when the Pipeline declares none
 * @param purgeAfterDays days (by event time) after which raw PII is minimized; 0 without PII
 * @param maxPiiDays the policy's limit for raw PII in any layer ({@value #MAX_PII_DAYS})
 * @param piiTopics the Kafka topics holding raw PII, with the retention the operator rendered
 * @param tables the warehouse tables whose old rows are minimized or deleted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Lifecycle(
    Archive archive,
    int purgeAfterDays,
    int maxPiiDays,
    List<Topic> piiTopics,
    List<Table> tables) {

  /** Raw PII is never kept longer than this, in any layer (DESIGN.md section 6). */
  public static final int MAX_PII_DAYS = 30;

  public Lifecycle {
    piiTopics = piiTopics == null ? List.of() : List.copyOf(piiTopics);
    tables = tables == null ? List.of() : List.copyOf(tables);
  }

  /**
   * The raw archive.
   *
   * @param bucket the S3 bucket
   * @param prefix the Pipeline's prefix in it, ending in {@code /}: {@code <uri's
   *     prefix>/<namespace>/<pipeline>/}
   * @param format how objects are written
   * @param retentionDays days (by event time) objects are kept
   * @param maxObjectBytes raw bytes of a partition's records after which its objects are written
   * @param maxObjectAge longest a record waits before its object is written, e.g. 5m
   * @param eventTimeField the events' time field, which lays the objects out by hour
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Archive(
      String bucket,
      String prefix,
      ArchiveSpec.Format format,
      int retentionDays,
      long maxObjectBytes,
      String maxObjectAge,
      String eventTimeField) {

    /** The archive's location as a user writes it: {@code s3://bucket/prefix/}. */
    public String location() {
      return "s3://" + bucket + "/" + prefix;
    }

    /**
     * The bucket and the Pipeline's prefix of an archive URI: {@code s3://b/raw} of Pipeline {@code
     * p} in {@code ns} is bucket {@code b}, prefix {@code raw/ns/p/}.
     */
    public static String[] bucketAndPrefix(String uri, String namespace, String pipeline) {
      String path = uri.substring("s3://".length());
      int slash = path.indexOf('/');
      String bucket = slash < 0 ? path : path.substring(0, slash);
      String prefix = slash < 0 ? "" : path.substring(slash + 1);
      while (prefix.startsWith("/")) {
        prefix = prefix.substring(1);
      }
      if (!prefix.isEmpty() && !prefix.endsWith("/")) {
        prefix += "/";
      }
      return new String[] {bucket, prefix + namespace + "/" + pipeline + "/"};
    }

    /**
     * The archive's location for a Pipeline, as its watermarks name it: the table of the archive's
     * freshness.
     */
    public static String location(String uri, String namespace, String pipeline) {
      String[] at = bucketAndPrefix(uri, namespace, pipeline);
      return "s3://" + at[0] + "/" + at[1];
    }
  }

  /**
   * A Kafka topic that may hold raw PII.
   *
   * @param topic the topic name
   * @param layer raw, dlq or late
   * @param retentionDays the retention the operator rendered into its KafkaTopic
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Topic(String topic, String layer, int retentionDays) {}

  /** What happens to a table's rows past their age. */
  public enum TableAction {
    /** The PII columns are set to null (raw warehouse rows past the purge age). */
    @JsonProperty("nullPii")
    NULL_PII,
    /** The rows are deleted (curated rows past the layer's retention). */
    @JsonProperty("delete")
    DELETE
  }

  /**
   * A warehouse table whose old rows are minimized or deleted.
   *
   * @param table SCHEMA.TABLE
   * @param layer raw or curated
   * @param timeColumn the column giving each row's age (a timestamp, or ISO-8601 UTC text)
   * @param action what happens to rows older than {@code afterDays}
   * @param afterDays the age in days
   * @param columns the PII columns, for {@link TableAction#NULL_PII}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Table(
      String table,
      String layer,
      String timeColumn,
      TableAction action,
      int afterDays,
      List<String> columns) {
    public Table {
      columns = columns == null ? List.of() : List.copyOf(columns);
    }
  }
}
