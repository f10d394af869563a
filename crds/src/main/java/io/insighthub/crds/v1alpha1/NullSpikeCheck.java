package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A field's share of nulls above a ceiling, or above a multiple of its rolling baseline. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.maxNullRatio) || has(self.maxFactor)",
    message = "spec.nullSpike: set maxNullRatio (0..1), maxFactor (over the baseline), or both",
    reason = "FieldValueRequired")
public class NullSpikeCheck {
  @Required
  @Size(min = 1, max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @JsonPropertyDescription("Field (or column) watched.")
  public String field;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Highest acceptable null ratio per interval, between 0 and 1.")
  public Double maxNullRatio;

  @Min(1)
  @JsonPropertyDescription("Highest acceptable ratio of the interval's null ratio to the baseline.")
  public Double maxFactor;

  @Default("7d")
  @Size(max = 16)
  @Pattern("^[0-9]+(h|d)$")
  @JsonPropertyDescription("Rolling window the baseline is computed over, e.g. 7d or 24h.")
  public String baselineWindow = "7d";
}
