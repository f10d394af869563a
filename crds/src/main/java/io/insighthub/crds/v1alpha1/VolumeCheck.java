package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Rows per interval expected within a range. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.minRows) || has(self.maxRows)",
    message = "spec.volume: set minRows, maxRows, or both",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "!has(self.minRows) || !has(self.maxRows) || self.minRows <= self.maxRows",
    message = "spec.volume: minRows must not exceed maxRows",
    reason = "FieldValueInvalid")
public class VolumeCheck {
  @Min(0)
  @JsonPropertyDescription("Fewest rows expected per interval.")
  public Long minRows;

  @Min(0)
  @JsonPropertyDescription("Most rows expected per interval.")
  public Long maxRows;

  @Default("1h")
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @JsonPropertyDescription("Interval the rows are counted over, e.g. 1h.")
  public String interval = "1h";
}
