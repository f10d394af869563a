package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A reference to one key of a Secret in the resource's own namespace; the value is never copied.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {
  @Required
  @Size(min = 1, max = 253)
  @Pattern(Validation.DNS_SUBDOMAIN_PATTERN)
  @JsonPropertyDescription("Name of the Secret, in the same namespace as this resource.")
  public String name;

  @Size(min = 1, max = 253)
  @Pattern("^[-._a-zA-Z0-9]+$")
  @JsonPropertyDescription(
      "Key inside the Secret; when omitted the component's documented default key is used.")
  public String key;

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }
}
