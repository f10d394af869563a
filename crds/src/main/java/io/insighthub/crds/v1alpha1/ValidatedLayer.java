package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** The validated layer's topic: Schema-checked, deduplicated, PII-minimized events. */
public class ValidatedLayer extends TopicLayer {
  @Min(1)
  @Default("30")
  @ValidationRule(
      value = "self <= 1095",
      message =
          "spec.layers.validated.retentionDays: validated data is kept at most 3 years (1095 days) by policy; set 1095 or less")
  @JsonPropertyDescription("Retention of the validated topic in days (1..1095).")
  public Integer retentionDays = 30;

  @Override
  public Integer getRetentionDays() {
    return retentionDays;
  }
}
