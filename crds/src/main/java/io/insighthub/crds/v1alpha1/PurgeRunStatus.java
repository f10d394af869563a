package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last pii-purge run of a Pipeline, as the run reported it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PurgeRunStatus {
  @JsonPropertyDescription("Id of the run; its OPS.AUDIT rows carry the same id.")
  public String runId;

  @JsonPropertyDescription("When the run finished (RFC 3339).")
  public String finishedAt;

  @JsonPropertyDescription("Whether every action of the run succeeded.")
  public Boolean succeeded;

  @JsonPropertyDescription(
      "What the run changed, e.g. purged 120 archive objects (3.2 GB); deleted 40 expired.")
  public String message;
}
