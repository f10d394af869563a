package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Which Strimzi Kafka cluster a Pipeline's topics belong to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KafkaSpec {
  @Size(min = 1, max = 63)
  @Pattern(Validation.DNS_LABEL_PATTERN)
  @JsonPropertyDescription(
      "Name of the Strimzi Kafka cluster; becomes the strimzi.io/cluster label of the topics.")
  public String cluster;

  @Size(max = 1024)
  @JsonPropertyDescription(
      "Bootstrap servers the workers connect to; defaults to the cluster's plain listener.")
  public String bootstrapServers;
}
