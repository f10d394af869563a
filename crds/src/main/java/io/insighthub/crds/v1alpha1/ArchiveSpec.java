package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The raw layer's long-term copy: every record of the raw topic, as received, in compressed objects
 * on S3 laid out by event hour. The backfill reads it; pii-purge minimizes and expires it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ArchiveSpec {
  /** How archive objects are written. */
  public enum Format {
    /** JSON lines, gzip-compressed: read by any tool (DuckDB, Athena, zcat). */
    @JsonProperty("jsonl.gz")
    JSONL_GZIP("jsonl.gz"),
    /** JSON lines, zstd-compressed: smaller and faster to write and read than gzip. */
    @JsonProperty("jsonl.zst")
    JSONL_ZSTD("jsonl.zst");

    private final String extension;

    Format(String extension) {
      this.extension = extension;
    }

    /** The object name's extension, without the dot. */
    public String extension() {
      return extension;
    }
  }

  @Required
  @Size(max = 1024)
  @Pattern("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\\s]*)?$")
  @JsonPropertyDescription(
      "Bucket and prefix of the archive, e.g. s3://insighthub-archive/raw/; objects go under"
          + " <uri>/<namespace>/<pipeline>/dt=YYYY-MM-DD/hour=HH/.")
  public String uri;

  @Default("jsonl.gz")
  @JsonPropertyDescription(
      "Object format: jsonl.gz (gzip JSON lines) or jsonl.zst (zstd JSON lines). Each line holds"
          + " one raw record: its partition, offset, timestamp, key and the original value.")
  public Format format = Format.JSONL_GZIP;

  @Min(1)
  @Max(180)
  @Default("180")
  @JsonPropertyDescription(
      "Days (by event time) archive objects are kept (1..180); pii-purge deletes older ones.")
  public Integer retentionDays = 180;

  @JsonPropertyDescription(
      "Secret with the object-store credentials as environment (AWS_ACCESS_KEY_ID,"
          + " AWS_SECRET_ACCESS_KEY, optional AWS_SESSION_TOKEN, AWS_REGION, AWS_ENDPOINT_URL_S3);"
          + " omit to use the workload identity of the pod (IRSA).")
  public SecretKeyRef credentialsSecretRef;

  @Default("5m")
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @ValidationRule(
      value = "duration(self) >= duration('10s') && duration(self) <= duration('1h')",
      message =
          "spec.archive.maxObjectAge must be between 10s and 1h: it bounds how long a record"
              + " waits before its object is written",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "Longest a record waits before the object holding it is written, e.g. 5m (10s..1h).")
  public String maxObjectAge = "5m";

  @Default("64Mi")
  @Size(max = 32)
  @ValidationRule(
      value =
          "isQuantity(self) && quantity(self).compareTo(quantity('1Mi')) >= 0"
              + " && quantity(self).compareTo(quantity('1Gi')) <= 0",
      message = "spec.archive.maxObjectSize must be a quantity between 1Mi and 1Gi, e.g. 64Mi",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "Raw bytes of one partition's records after which its objects are written (before"
          + " compression), e.g. 64Mi (1Mi..1Gi). The archiver buffers one such range per"
          + " partition it owns, compressed, in memory.")
  public String maxObjectSize = "64Mi";
}
