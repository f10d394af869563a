package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** Replicas and resources of one worker Deployment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkerSpec {
  @Min(1)
  @Max(100)
  @Default("1")
  @JsonPropertyDescription(
      "Pods of this stage; more than the topic's partitions adds nothing. suspend scales to 0.")
  public Integer replicas = 1;

  @JsonPropertyDescription(
      "CPU and memory requests and limits; the operator's defaults apply when omitted.")
  public ResourceRequirements resources;
}
