package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** Replicas, resources and local disk of one worker Deployment. */
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

  @Size(max = 32)
  @ValidationRule(
      value = "isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))",
      message = "stateStorage must be a positive quantity of bytes, e.g. 20Gi",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "Local disk of each pod's state directory, e.g. 20Gi: the emptyDir's sizeLimit and an"
          + " ephemeral-storage request (unless resources sets one); validate bounds its dedup"
          + " spill to 90% of it at 70 bytes per id. Size validate at ids per second per pod x"
          + " (allowed lateness + dedup window) x 50-70 bytes. Omitted: no limit and no request.")
  public String stateStorage;
}
