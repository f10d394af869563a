package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A reference by name to another InsightHub resource in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ObjectRef {
  @Required
  @Size(min = 1, max = 63)
  @Pattern(Validation.DNS_LABEL_PATTERN)
  @JsonPropertyDescription("Name of the referenced resource, in the same namespace.")
  public String name;

  public ObjectRef() {}

  public ObjectRef(String name) {
    this.name = name;
  }
}
