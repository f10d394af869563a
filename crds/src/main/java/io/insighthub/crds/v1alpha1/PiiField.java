package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One personal-data field and what happens to it before the validated layer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PiiField {
  /** Minimization actions. */
  public enum Action {
    /** Keyed HMAC-SHA256: stable, joinable, not reversible without the key. */
    @JsonProperty("hash")
    HASH,
    /** Removed from the record. */
    @JsonProperty("drop")
    DROP,
    /** Replaced by a fixed mask keeping only a short non-identifying part (e.g. email domain). */
    @JsonProperty("mask")
    MASK
  }

  @Required
  @Size(min = 1, max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @JsonPropertyDescription("Field name or dotted path, e.g. email or user.ip_address.")
  public String field;

  @Required
  @JsonPropertyDescription("hash, drop or mask.")
  public Action action;

  public PiiField() {}

  public PiiField(String field, Action action) {
    this.field = field;
    this.action = action;
  }
}
