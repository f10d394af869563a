package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** A built-in streaming transform or a SQL model run in the warehouse. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type != 'sql' || has(self.sql)",
    message = "spec.transforms[].sql: a transform of type sql needs its SELECT statement in sql",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "self.type == 'sql' || !has(self.sql)",
    message = "spec.transforms[].sql: only transforms of type sql take a sql statement",
    reason = "FieldValueForbidden")
@ValidationRule(
    value = "self.type != 'sql' || self.materialization != 'incremental' || has(self.uniqueKey)",
    message =
        "spec.transforms[].uniqueKey: an incremental SQL model merges on uniqueKey; list the"
            + " columns that identify a row",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "!has(self.dependsOn) || !(self.name in self.dependsOn)",
    messageExpression =
        "'spec.transforms: ' + self.name + ' depends on itself; remove its own name from"
            + " dependsOn'",
    reason = "FieldValueInvalid")
public class TransformSpec {
  /** Kinds of transform. */
  public enum Type {
    /** Streaming: sessions per user or device, split by an inactivity gap. */
    @JsonProperty("sessionize")
    SESSIONIZE,
    /** Streaming: usage aggregates per account per hour and per day. */
    @JsonProperty("aggregate")
    AGGREGATE,
    /** Batch: a SELECT run in the warehouse on a schedule, in dependency order. */
    @JsonProperty("sql")
    SQL
  }

  /** How a SQL model's result is stored. */
  public enum Materialization {
    @JsonProperty("table")
    TABLE,
    @JsonProperty("incremental")
    INCREMENTAL,
    @JsonProperty("view")
    VIEW
  }

  @Required
  @Size(min = 1, max = 63)
  @Pattern(Validation.DNS_LABEL_PATTERN)
  @JsonPropertyDescription("Name, unique in the Pipeline; other transforms name it in dependsOn.")
  public String name;

  @Required
  @JsonPropertyDescription("sessionize, aggregate or sql.")
  public Type type;

  @Size(max = 20)
  @JsonPropertyDescription(
      "Transforms that must finish before this one runs; each must be declared in this Pipeline"
          + " and none may be the transform itself.")
  public List<@Size(max = 63) String> dependsOn = new ArrayList<>();

  @Size(max = 128)
  @ValidationRule(
      value = Validation.CRON_RULE,
      message = "spec.transforms[].schedule " + Validation.CRON_MESSAGE)
  @JsonPropertyDescription(
      "When a SQL model runs (5-field cron, UTC). Default for sql: every 15 minutes. Transforms"
          + " with dependsOn run after their dependencies instead.")
  public String schedule;

  @Size(max = 65536)
  @JsonPropertyDescription(
      "The SELECT statement of a sql transform; reference tables as {{ ref('name') }} or by"
          + " their schema-qualified names.")
  public String sql;

  @JsonPropertyDescription(
      "How a SQL model is stored: table (rebuilt, the default), incremental (merged) or view.")
  public Materialization materialization = Materialization.TABLE;

  @Size(max = 8)
  @JsonPropertyDescription(
      "Columns identifying a row of the model; incremental models merge on it.")
  public List<@Size(max = 128) String> uniqueKey = new ArrayList<>();

  @Min(0)
  @Max(10)
  @JsonPropertyDescription(
      "Retries of a failed SQL model run before the run is marked failed (default 2).")
  public Integer retries = 2;

  @Size(max = 255)
  @Pattern(Validation.IDENTIFIER_PATTERN)
  @JsonPropertyDescription(
      "Target table in the CURATED schema; defaults to the transform name with '-' turned"
          + " into '_' (account-usage becomes ACCOUNT_USAGE).")
  public String table;

  @JsonPropertyDescription("Options of a sessionize transform.")
  public SessionizeSpec sessionize;

  @JsonPropertyDescription("Options of an aggregate transform.")
  public AggregateSpec aggregate;

  @Size(max = 255)
  @Pattern(Validation.IDENTIFIER_PATTERN)
  @JsonPropertyDescription(
      "SQL models: the column holding each row's time (a timestamp, or ISO-8601 UTC text);"
          + " pii-purge deletes rows older than spec.layers.curated.retentionDays by it. Without"
          + " it the model's table is not expired. Sessionize (session_end) and aggregate"
          + " (window_start) tables have theirs.")
  public String timeColumn;
}
