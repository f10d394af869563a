package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** The late layer's topic: Events later than the allowed lateness. */
public class LateLayer extends TopicLayer {
  @Min(1)
  @Default("30")
  @ValidationRule(
      value = "self <= 180",
      message =
          "spec.layers.late.retentionDays: late events are kept at most 180 days; set 180 or less")
  @JsonPropertyDescription(
      "Retention of the late-events topic in days (1..180); a Backfill reloads them.")
  public Integer retentionDays = 30;

  @Override
  public Integer getRetentionDays() {
    return retentionDays;
  }
}
