package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** The dlq layer's topic: Rejected records with reason headers. */
public class DlqLayer extends TopicLayer {
  @Min(1)
  @Default("14")
  @ValidationRule(
      value = "self <= 30",
      message =
          "spec.layers.dlq.retentionDays: DLQ records are rejected raw payloads that may hold PII, so they are kept at most 30 days; set 30 or less")
  @JsonPropertyDescription(
      "Retention of the dead-letter topic in days (1..30): DLQ records are rejected raw payloads and may hold PII.")
  public Integer retentionDays = 14;

  @Override
  public Integer getRetentionDays() {
    return retentionDays;
  }
}
