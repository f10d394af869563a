package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** The status fields every InsightHub resource has. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class ResourceStatus {
  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Standard conditions (type, status, reason, message, lastTransitionTime); Ready sums them.")
  public List<Condition> conditions = new ArrayList<>();
}
