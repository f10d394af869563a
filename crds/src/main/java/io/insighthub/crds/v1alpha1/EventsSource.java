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
import java.util.ArrayList;
import java.util.List;

/** A JSON event stream and the schema each event is checked against. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.keyFields) && size(self.keyFields) > 0",
    message =
        "spec.source.events.keyFields: list at least one field that identifies an event, for"
            + " example [event_id]; it keys the topics and the warehouse MERGE",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "has(self.eventTimeField)",
    message =
        "spec.source.events.eventTimeField: name the field that holds the event time, for example"
            + " occurred_at; freshness and late-arrival handling are measured on it",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "!has(self.keyFields) || self.keyFields.all(k, self.fields.exists(f, f.name == k))",
    message =
        "spec.source.events.keyFields: every key field must be declared in"
            + " spec.source.events.fields",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "!has(self.eventTimeField) || self.fields.exists(f, f.name == self.eventTimeField"
            + " && f.type == 'timestamp')",
    message =
        "spec.source.events.eventTimeField: must name a field declared in spec.source.events.fields"
            + " with type timestamp",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = "self.fields.all(f, self.fields.exists_one(o, o.name == f.name))",
    message = "spec.source.events.fields: field names must be unique; remove the duplicate",
    reason = "FieldValueInvalid")
public class EventsSource {
  @Required
  @Size(min = 1, max = 200)
  @JsonPropertyDescription(
      "Declared schema: every field an event may carry, its type and whether it is required.")
  public List<EventField> fields = new ArrayList<>();

  @Size(max = 8)
  @JsonPropertyDescription(
      "Fields whose values identify an event; they key the Kafka records and the warehouse MERGE."
          + " Each must be declared in fields.")
  public List<@Size(max = 128) String> keyFields = new ArrayList<>();

  @Size(max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @JsonPropertyDescription(
      "Field holding the event time (type timestamp); windows, lateness and freshness use it.")
  public String eventTimeField;

  @Size(max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @Default("event_id")
  @JsonPropertyDescription(
      "Field holding a unique event id, used to drop duplicates within the dedup window.")
  public String eventIdField = "event_id";

  @Min(256)
  @Max(10485760)
  @Default("1048576")
  @JsonPropertyDescription("Largest accepted event in bytes; bigger events go to the DLQ.")
  public Integer maxEventBytes = 1048576;

  @Default("10m")
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @JsonPropertyDescription(
      "Window within which a repeated event id is a duplicate and dropped, e.g. 10m, 1h.")
  public String dedupWindow = "10m";

  @Default("1h")
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @JsonPropertyDescription(
      "How late (by event time) an event may arrive and still update its window; later events"
          + " go to the late topic. A lateArrival QualityRule overrides it.")
  public String allowedLateness = "1h";
}
