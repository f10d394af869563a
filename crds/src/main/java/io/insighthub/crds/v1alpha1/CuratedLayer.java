package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** The curated layer: modelled warehouse tables that consumers read. */
public class CuratedLayer {
  @Min(1)
  @Default("1095")
  @ValidationRule(
      value = "self <= 1095",
      message =
          "spec.layers.curated.retentionDays: curated tables are kept at most 3 years (1095 days)"
              + " by policy; set 1095 or less")
  @JsonPropertyDescription("Days curated warehouse rows are kept (1..1095, 3 years).")
  public Integer retentionDays = 1095;
}
