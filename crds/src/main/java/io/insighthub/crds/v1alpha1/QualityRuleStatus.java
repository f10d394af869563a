package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Observed state of a QualityRule: evaluations and the last violation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class QualityRuleStatus extends ResourceStatus {
  @JsonPropertyDescription("When the checks were last evaluated (RFC 3339).")
  public String lastEvaluationTime;

  @JsonPropertyDescription("Evaluations that passed.")
  public Long passCount;

  @JsonPropertyDescription("Evaluations that found a violation.")
  public Long failCount;

  @JsonPropertyDescription("The most recent violation.")
  public Violation lastViolation;

  /** One violation, described without record contents. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Violation {
    @JsonPropertyDescription("When it was found (RFC 3339).")
    public String time;

    @JsonPropertyDescription(
        "Which check: schemaDrift, duplicates, nullSpike, lateArrival, volume.")
    public String check;

    @JsonPropertyDescription("What was found, without payload values.")
    public String message;

    @JsonPropertyDescription("How many records violated the check.")
    public Long sampleCount;
  }
}
