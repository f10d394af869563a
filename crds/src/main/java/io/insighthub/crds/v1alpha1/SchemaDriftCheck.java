package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** What the validator does with a record that differs from the declared schema. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SchemaDriftCheck {
  /** Drift policies. */
  public enum Policy {
    /** Pass additive fields through (added as nullable columns) and report each once. */
    @JsonProperty("evolve")
    EVOLVE,
    /** Send drifted records to the DLQ with the reason. */
    @JsonProperty("quarantine")
    QUARANTINE,
    /** Stop the stage with the reason. */
    @JsonProperty("halt")
    HALT
  }

  @Default("evolve")
  @JsonPropertyDescription("evolve, quarantine or halt.")
  public Policy policy = Policy.EVOLVE;
}
