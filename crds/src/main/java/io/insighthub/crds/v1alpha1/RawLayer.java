package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** The raw layer's topic: As received from producers; may hold PII. */
public class RawLayer extends TopicLayer {
  @Min(1)
  @Default("7")
  @ValidationRule(
      value = "self <= 180",
      message =
          "spec.layers.raw.retentionDays: raw data is kept at most 180 days by policy; set 180 or less")
  @JsonPropertyDescription(
      "Retention of the raw topic in days (1..180; at most 30 when it carries PII).")
  public Integer retentionDays = 7;

  @Override
  public Integer getRetentionDays() {
    return retentionDays;
  }
}
