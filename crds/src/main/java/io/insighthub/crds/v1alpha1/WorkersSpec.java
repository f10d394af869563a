package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

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
  @ValidationRule(
      value = "!has(self.replicas) || self.replicas == 1",
      message =
          "spec.workers.load.replicas: one loader writes a Pipeline's tables and keeps its offsets in the warehouse, so a second one could only be refused; set 1 and give it more cpu or memory instead")
  @JsonPropertyDescription(
      "The load stage (validated events and aggregates into the warehouse): one replica.")
  public WorkerSpec load = new WorkerSpec();

  @Default("{}")
  @JsonPropertyDescription(
      "The archive stage (raw topic to spec.archive); runs only when spec.archive is set.")
  public WorkerSpec archive = new WorkerSpec();

  @Size(max = 253)
  @JsonPropertyDescription("Worker image; defaults to the operator's configured worker image.")
  public String image;
}
