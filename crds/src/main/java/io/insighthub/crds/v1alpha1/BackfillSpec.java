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

/** The range, chunking and throttling of a Backfill. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!self.from.matches(r'"
            + BackfillSpec.RFC3339
            + "')"
            + " || !self.to.matches(r'"
            + BackfillSpec.RFC3339
            + "')"
            + " || timestamp(self.from) < timestamp(self.to)",
    message =
        "spec.from must be before spec.to: the range [from, to) is half-open and may not be empty",
    reason = "FieldValueInvalid")
public class BackfillSpec {
  static final String RFC3339 =
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";

  /** Scheduling priority of the backfill pods relative to live workers. */
  public enum Priority {
    /** Below live workers: preempted first, never starves production. */
    @JsonProperty("low")
    LOW,
    /** Same as live workers. */
    @JsonProperty("normal")
    NORMAL
  }

  @Required
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.pipelineRef is immutable; create a new Backfill for another Pipeline",
      reason = "FieldValueForbidden")
  @JsonPropertyDescription("The Pipeline (same namespace) to re-load.")
  public ObjectRef pipelineRef;

  @JsonPropertyDescription(
      "Narrow the backfill to one table or one transform; whole Pipeline if omitted.")
  public BackfillTarget target;

  @Required
  @Size(max = 64)
  @Pattern(RFC3339)
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.from is immutable: the chunk plan depends on it; create a new Backfill",
      reason = "FieldValueForbidden")
  @JsonPropertyDescription("Start of the range, inclusive (RFC 3339, e.g. 2025-01-01T00:00:00Z).")
  public String from;

  @Required
  @Size(max = 64)
  @Pattern(RFC3339)
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.to is immutable: the chunk plan depends on it; create a new Backfill",
      reason = "FieldValueForbidden")
  @JsonPropertyDescription("End of the range, exclusive (RFC 3339).")
  public String to;

  @Default("24h")
  @Size(max = 32)
  @Pattern("^([0-9]+(h|m|s))+$")
  @ValidationRule(
      value = "duration(self) > duration('0s')",
      message = "spec.chunkSize must be a positive duration such as 24h or 6h",
      reason = "FieldValueInvalid")
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.chunkSize is immutable: the chunk plan depends on it; create a new Backfill",
      reason = "FieldValueForbidden")
  @JsonPropertyDescription("Length of one chunk (one Job index), e.g. 24h.")
  public String chunkSize = "24h";

  @Min(1)
  @Max(32)
  @Default("2")
  @JsonPropertyDescription("Chunks loaded at once (the Job's parallelism), at least 1.")
  public Integer maxConcurrency = 2;

  @Min(1)
  @JsonPropertyDescription(
      "Upper bound on rows per second across all chunks; unlimited if omitted.")
  public Long rateLimitRowsPerSecond;

  @Min(0)
  @Max(1)
  @Default("0.8")
  @JsonPropertyDescription(
      "Pause new chunks while any live table's lag exceeds this fraction of its SLA (0..1).")
  public Double pauseAtSlaFraction = 0.8;

  @Default("low")
  @JsonPropertyDescription("low (a lower PriorityClass than live workers) or normal.")
  public Priority priority = Priority.LOW;

  @Default("false")
  @JsonPropertyDescription("Stop starting chunks; running chunks finish. false resumes.")
  public Boolean suspend = false;

  @Default("false")
  @JsonPropertyDescription(
      "Only compute the plan (chunks, expected rows) into status; load nothing.")
  public Boolean dryRun = false;

  /** Part of a Pipeline a Backfill can be limited to. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "(has(self.table) ? 1 : 0) + (has(self.transform) ? 1 : 0) == 1",
      message = "spec.target: set exactly one of table or transform",
      reason = "FieldValueInvalid")
  public static class BackfillTarget {
    @Size(max = 255)
    @JsonPropertyDescription("One table of the Pipeline, e.g. public.invoices.")
    public String table;

    @Size(max = 63)
    @JsonPropertyDescription("One transform of the Pipeline, by name.")
    public String transform;
  }
}
