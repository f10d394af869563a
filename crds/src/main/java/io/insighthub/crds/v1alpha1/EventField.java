package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One field of an event schema. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EventField {
  /** The JSON types a field can be declared with. */
  public enum Type {
    @JsonProperty("string")
    STRING,
    @JsonProperty("integer")
    INTEGER,
    @JsonProperty("number")
    NUMBER,
    @JsonProperty("boolean")
    BOOLEAN,
    @JsonProperty("timestamp")
    TIMESTAMP,
    @JsonProperty("object")
    OBJECT,
    @JsonProperty("array")
    ARRAY
  }

  @Required
  @Size(min = 1, max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @JsonPropertyDescription("Field name; a dotted path reaches into nested objects (device.os).")
  public String name;

  @Required
  @JsonPropertyDescription(
      "JSON type: string, integer, number, boolean, timestamp (ISO-8601 string or epoch millis),"
          + " object or array.")
  public Type type;

  @JsonPropertyDescription("Events without this field are rejected to the DLQ (default false).")
  public Boolean required = false;

  @Min(1)
  @JsonPropertyDescription("Longest accepted string value, in characters.")
  public Integer maxLength;

  public EventField() {}

  public EventField(String name, Type type, boolean required) {
    this.name = name;
    this.type = type;
    this.required = required;
  }
}
