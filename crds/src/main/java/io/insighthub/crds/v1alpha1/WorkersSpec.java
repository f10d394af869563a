package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;

/** Sizing of the worker stages a Pipeline runs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkersSpec {
  @Default("{}")
  @JsonPropertyDescription("The validate stage (raw to validated).")
  public WorkerSpec validate = new WorkerSpec();

  @Default("{}")
  @JsonPropertyDescription("The aggregate stage (sessions and account usage).")
  public WorkerSpec aggregate = new WorkerSpec();

  @Default("{}")
  @JsonPropertyDescription("The load stage (validated events and aggregates into the warehouse).")
  public WorkerSpec load = new WorkerSpec();

  @Size(max = 253)
  @JsonPropertyDescription("Worker image; defaults to the operator's configured worker image.")
  public String image;
}
