package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Files fetched on a schedule; each file is ingested once (by name, size and checksum). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.timeField) || !has(self.fields) || size(self.fields) == 0"
            + " || self.fields.exists(f, f.name == self.timeField && f.type == 'timestamp')",
    message =
        "spec.source.batch.timeField: must name a field declared in spec.source.batch.fields with"
            + " type timestamp",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "!has(self.csv) || !has(self.csv.header) || self.csv.header"
            + " || (has(self.fields) && size(self.fields) > 0)",
    message =
        "spec.source.batch.csv.header is false: declare the columns, in file order, in"
            + " spec.source.batch.fields",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "!has(self.csv) || self.format == 'csv'",
    message = "spec.source.batch.csv: CSV options apply only to format csv; remove them",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "!has(self.fields) || size(self.fields) == 0 || !has(self.keyFields)"
            + " || self.keyFields.all(k, self.fields.exists(f, f.name == k))",
    message =
        "spec.source.batch.keyFields: every key field must be declared in spec.source.batch.fields"
            + " (or leave fields empty to take the columns from the files)",
    reason = "FieldValueInvalid")
public class BatchSource {
  /** How files are compressed. */
  public enum Compression {
    /** gzip when a file starts with the gzip magic bytes, else none. */
    @JsonProperty("auto")
    AUTO,
    @JsonProperty("none")
    NONE,
    @JsonProperty("gzip")
    GZIP
  }

  /** What happens when a file already loaded is delivered again with other content. */
  public enum Redelivery {
    /** Load the new content, replacing the rows the earlier version of the file loaded. */
    @JsonProperty("reload")
    RELOAD,
    /** Keep the rows of the earlier version and quarantine the new one whole. */
    @JsonProperty("quarantine")
    QUARANTINE
  }

  /** File formats the batch ingester reads. */
  public enum Format {
    @JsonProperty("csv")
    CSV,
    @JsonProperty("jsonl")
    JSONL,
    @JsonProperty("parquet")
    PARQUET
  }

  @Required
  @Size(max = 1024)
  @Pattern("^(s3|gs|file)://.+")
  @JsonPropertyDescription(
      "Location of the files: s3://bucket/prefix/, gs://bucket/prefix/ or file:///path/.")
  public String uri;

  @Size(max = 256)
  @Default("\"*\"")
  @JsonPropertyDescription("Glob matched against file names under uri, e.g. accounts_*.csv.")
  public String filePattern = "*";

  @Required
  @JsonPropertyDescription("File format: csv (with a header row), jsonl or parquet.")
  public Format format;

  @JsonPropertyDescription("CSV options: header, delimiter, quote and escape (format csv only).")
  public CsvFormat csv;

  @Default("auto")
  @JsonPropertyDescription(
      "auto (gzip when a file starts with the gzip magic bytes), none or gzip. Applies to csv and"
          + " jsonl; Parquet compresses its own pages.")
  public Compression compression = Compression.AUTO;

  @Size(max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @JsonPropertyDescription(
      "Column holding each row's time (type timestamp): the newest in the table is the table's"
          + " freshness. Omit to use the modification time of the newest file loaded.")
  public String timeField;

  @Default("reload")
  @JsonPropertyDescription(
      "A file loaded before and delivered again under the same name with another ETag or size:"
          + " reload (its new rows replace the rows its earlier version loaded) or quarantine (the"
          + " earlier rows stay, the new version is quarantined whole). Reported either way.")
  public Redelivery redelivery = Redelivery.RELOAD;

  @Required
  @Size(max = 128)
  @ValidationRule(
      value = Validation.CRON_RULE,
      message = "spec.source.batch.schedule " + Validation.CRON_MESSAGE)
  @JsonPropertyDescription("When to look for new files: a 5-field cron in UTC, e.g. '30 4 * * *'.")
  public String schedule;

  @JsonPropertyDescription(
      "Secret with the object-store credentials (e.g. AWS_ACCESS_KEY_ID and"
          + " AWS_SECRET_ACCESS_KEY); omit to use the workload identity of the pod.")
  public SecretKeyRef credentialsSecretRef;

  @Size(max = 8)
  @JsonPropertyDescription("Columns that identify a row; rows are merged on them. Empty: append.")
  public List<@Size(max = 128) String> keyFields = new ArrayList<>();

  @Size(max = 200)
  @JsonPropertyDescription(
      "Declared columns and types; when empty the header (csv) or file schema (parquet) is used.")
  public List<EventField> fields = new ArrayList<>();
}
