package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Events arriving later than allowed, and what happens to them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LateArrivalCheck {
  /** What happens to a late event. */
  public enum LateAction {
    /** Keep it in the late topic and OPS.LATE_EVENTS for a Backfill to reprocess. */
    @JsonProperty("reprocess")
    REPROCESS,
    /** Reject it to the DLQ. */
    @JsonProperty("dlq")
    DLQ
  }

  @Required
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @JsonPropertyDescription("Allowed lateness by event time, e.g. 1h; overrides the Pipeline's.")
  public String allowedLateness;

  @Default("reprocess")
  @JsonPropertyDescription("reprocess (late topic, reloaded by a Backfill) or dlq.")
  public LateAction action = LateAction.REPROCESS;
}
