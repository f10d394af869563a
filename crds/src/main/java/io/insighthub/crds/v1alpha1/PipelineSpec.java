package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** What a Pipeline reads, how it keeps and cleans the data, and where it loads it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.source) && has(self.source.cdc) || has(self.sink)",
    message =
        "spec.sink is required for events and batch sources: add spec.sink with"
            + " connectionSecretRef, database and schema (cdc sources load through the"
            + " referenced CdcSource's sink instead)",
    reason = "FieldValueRequired")
@ValidationRule(
    value =
        "!has(self.pii) || !has(self.pii.fields) || size(self.pii.fields) == 0"
            + " || !has(self.layers) || !has(self.layers.raw)"
            + " || self.layers.raw.retentionDays <= 30",
    message =
        "spec.layers.raw.retentionDays: the raw layer carries the PII fields listed in spec.pii,"
            + " so it may keep data at most 30 days; set retentionDays to 30 or less",
    fieldPath = ".layers.raw.retentionDays")
@ValidationRule(
    value =
        "!has(self.pii) || !has(self.pii.fields) || !has(self.source) || !has(self.source.events)"
            + " || self.pii.fields.all(p, self.source.events.fields.exists(f, f.name == p.field"
            + " || p.field.startsWith(f.name + '.')))",
    message =
        "spec.pii.fields: every PII field must be declared in spec.source.events.fields (or lie"
            + " inside a declared object field); fix the name or declare the field",
    reason = "FieldValueInvalid")
@ValidationRule(
    value = "!has(self.archive) || has(self.source) && has(self.source.events)",
    message =
        "spec.archive: only an events source has a raw topic to archive; remove spec.archive"
            + " (batch files stay in their bucket, CDC tables in their database)",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "!has(self.archive) || !has(self.freshness) || !has(self.freshness.archiveSla)"
            + " || duration(self.archive.maxObjectAge) < duration(self.freshness.archiveSla)",
    message =
        "spec.freshness.archiveSla must be longer than spec.archive.maxObjectAge, or the archive"
            + " is late by design; raise archiveSla or lower maxObjectAge",
    fieldPath = ".freshness.archiveSla",
    reason = "FieldValueInvalid")
public class PipelineSpec {
  @Required
  @JsonPropertyDescription(
      "Where the data comes from: exactly one of events (a JSON event stream), cdc (a CdcSource)"
          + " or batch (files fetched on a schedule).")
  public PipelineSource source;

  @Default("{}")
  @JsonPropertyDescription(
      "Kafka topics per layer (raw, validated, dlq, late) and the retention of curated tables.")
  public Layers layers = new Layers();

  @JsonPropertyDescription(
      "Personal data minimization: which fields are hashed, dropped or masked before the"
          + " validated layer, and when raw PII is purged from the warehouse.")
  public PiiSpec pii;

  @JsonPropertyDescription(
      "The raw archive on S3 (events sources): every raw record kept for up to 180 days as"
          + " compressed objects by event hour, the backfill's source; pii-purge minimizes its PII"
          + " after pii.rawPurgeAfterDays and deletes objects past retentionDays.")
  public ArchiveSpec archive;

  @Size(max = 50)
  @ValidationRule(
      value = "self.all(t, !has(t.dependsOn) || t.dependsOn.all(d, self.exists(o, o.name == d)))",
      message =
          "spec.transforms: a dependsOn entry names a transform that is not declared; declare it in"
              + " spec.transforms or remove it from dependsOn",
      reason = "FieldValueInvalid")
  @ValidationRule(
      value = "self.all(t, self.exists_one(o, o.name == t.name))",
      message = "spec.transforms: transform names must be unique; rename the duplicate",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "Transformations: the built-in sessionize and aggregate streams, and SQL models run in the"
          + " warehouse as a dependency graph (dependsOn).")
  public List<TransformSpec> transforms = new ArrayList<>();

  @JsonPropertyDescription(
      "Warehouse target (Snowflake, or DuckDB locally). Required for events and batch sources.")
  public SinkSpec sink;

  @Default("{}")
  @JsonPropertyDescription(
      "Freshness SLAs; status.freshness and FreshnessSLAMet report against them.")
  public FreshnessSpec freshness = new FreshnessSpec();

  @Default("{}")
  @JsonPropertyDescription("Replicas and resources of each worker stage.")
  public WorkersSpec workers = new WorkersSpec();

  @JsonPropertyDescription(
      "Kafka cluster the topics live on; defaults to the operator's configured cluster.")
  public KafkaSpec kafka;

  @Default("false")
  @JsonPropertyDescription(
      "Stop the workers and suspend the CronJobs without deleting anything; setting it back to"
          + " false resumes from the stored offsets.")
  public Boolean suspend = false;
}
