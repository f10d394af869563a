package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** The one source of a Pipeline. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(has(self.events) ? 1 : 0) + (has(self.cdc) ? 1 : 0) + (has(self.batch) ? 1 : 0) == 1",
    message = "spec.source: set exactly one of events, cdc or batch",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "has(self.events) == has(oldSelf.events) && has(self.cdc) == has(oldSelf.cdc)"
            + " && has(self.batch) == has(oldSelf.batch)",
    message =
        "spec.source: the kind of source (events, cdc or batch) cannot change after creation;"
            + " create a new Pipeline instead",
    reason = "FieldValueForbidden")
public class PipelineSource {
  @JsonPropertyDescription(
      "A JSON event stream produced to the raw topic (web/mobile events, a KafkaBridge).")
  public EventsSource events;

  @JsonPropertyDescription("Change data capture from a PostgreSQL database, through a CdcSource.")
  public CdcPipelineSource cdc;

  @JsonPropertyDescription("Files (exports, billing files) fetched on a schedule.")
  public BatchSource batch;
}
