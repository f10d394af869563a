package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Kafka topic settings shared by the raw, validated, dlq and late layers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.minInSyncReplicas <= self.replicas",
    message =
        "minInSyncReplicas cannot exceed replicas, or no write would ever be acknowledged;"
            + " lower minInSyncReplicas or raise replicas",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = "!self.containsPii || self.retentionDays <= 30",
    message =
        "retentionDays: a layer that contains PII keeps it at most 30 days; set retentionDays to"
            + " 30 or less, or minimize the PII (spec.pii) before this layer",
    fieldPath = ".retentionDays")
public abstract class TopicLayer {
  /** Topic compression codecs. */
  public enum Compression {
    @JsonProperty("lz4")
    LZ4,
    @JsonProperty("zstd")
    ZSTD,
    @JsonProperty("snappy")
    SNAPPY,
    @JsonProperty("gzip")
    GZIP,
    @JsonProperty("producer")
    PRODUCER,
    @JsonProperty("uncompressed")
    UNCOMPRESSED
  }

  @Min(1)
  @Max(1000)
  @Default("12")
  @ValidationRule(
      value = "self >= oldSelf",
      message =
          "partitions can only grow: Kafka cannot remove partitions from a topic; keep the old"
              + " count or create a new Pipeline",
      reason = "FieldValueForbidden")
  @JsonPropertyDescription(
      "Topic partitions; the upper bound of worker parallelism. Can only grow.")
  public Integer partitions = 12;

  @Min(1)
  @Max(7)
  @Default("3")
  @JsonPropertyDescription("Replicas of each partition.")
  public Integer replicas = 3;

  @Min(1)
  @Max(7)
  @Default("2")
  @JsonPropertyDescription("min.insync.replicas: acknowledgements needed for a write to succeed.")
  public Integer minInSyncReplicas = 2;

  @Default("lz4")
  @JsonPropertyDescription("compression.type of the topic.")
  public Compression compression = Compression.LZ4;

  @Default("false")
  @JsonPropertyDescription(
      "Whether this layer may hold personal data; such a layer keeps it at most 30 days.")
  public Boolean containsPii = false;

  /** Days records are kept; each layer declares its own default and upper bound. */
  public abstract Integer getRetentionDays();
}
