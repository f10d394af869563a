package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Checks on one Pipeline (optionally one of its tables), their severity and what a failure does.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "has(self.schemaDrift) || has(self.duplicates) || has(self.nullSpike)"
            + " || has(self.lateArrival) || has(self.volume)",
    message =
        "spec: declare at least one check: schemaDrift, duplicates, nullSpike, lateArrival or"
            + " volume",
    reason = "FieldValueRequired")
public class QualityRuleSpec {
  /** How serious a violation is; it sets the alert's severity. */
  public enum Severity {
    @JsonProperty("info")
    INFO,
    @JsonProperty("warning")
    WARNING,
    @JsonProperty("critical")
    CRITICAL
  }

  /** What a violation does besides reporting it. */
  public enum Action {
    /** Report in status and metrics; data flows on. */
    @JsonProperty("alert")
    ALERT,
    /** Send the violating records to the DLQ (or OPS quarantine). */
    @JsonProperty("quarantine")
    QUARANTINE,
    /** Stop the stage and turn the Pipeline's QualityPassing condition False. */
    @JsonProperty("halt")
    HALT
  }

  @Required
  @JsonPropertyDescription("The Pipeline (same namespace) these checks apply to.")
  public ObjectRef pipelineRef;

  @Size(max = 255)
  @JsonPropertyDescription(
      "Warehouse table the checks apply to (e.g. public.invoices for CDC); all tables if omitted.")
  public String table;

  @JsonPropertyDescription("Schema drift against the declared schema: evolve, quarantine or halt.")
  public SchemaDriftCheck schemaDrift;

  @JsonPropertyDescription("Duplicate keys within a window.")
  public DuplicatesCheck duplicates;

  @JsonPropertyDescription("A field's null ratio above a ceiling or a multiple of its baseline.")
  public NullSpikeCheck nullSpike;

  @JsonPropertyDescription("Events arriving later than the allowed lateness.")
  public LateArrivalCheck lateArrival;

  @JsonPropertyDescription("Rows per interval outside an expected range.")
  public VolumeCheck volume;

  @Default("warning")
  @JsonPropertyDescription("info, warning or critical.")
  public Severity severity = Severity.WARNING;

  @Default("alert")
  @JsonPropertyDescription("alert (report only), quarantine (divert bad records) or halt.")
  public Action action = Action.ALERT;
}
