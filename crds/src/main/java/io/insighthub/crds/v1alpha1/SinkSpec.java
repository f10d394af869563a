package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The warehouse target: which database and schema, reached through a connection Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SinkSpec {
  /** How loaded rows meet existing ones. */
  public enum Mode {
    /** MERGE on the key fields: replays and corrections replace rows. */
    @JsonProperty("merge")
    MERGE,
    /** INSERT only, deduplicated by load offsets. */
    @JsonProperty("append")
    APPEND
  }

  @Required
  @JsonPropertyDescription(
      "Secret with the warehouse connection: key 'url' (jdbc:snowflake://... or"
          + " jdbc:duckdb:/path) plus user, password or private-key keys as the driver needs."
          + " Credentials stay in the Secret and are mounted as files.")
  public SecretKeyRef connectionSecretRef;

  @Required
  @Size(min = 1, max = 255)
  @Pattern(Validation.IDENTIFIER_PATTERN)
  @JsonPropertyDescription("Warehouse database, e.g. ANALYTICS.")
  public String database;

  @Default("VALIDATED")
  @Size(min = 1, max = 255)
  @Pattern(Validation.IDENTIFIER_PATTERN)
  @JsonPropertyDescription(
      "Schema for loaded tables (default VALIDATED); RAW, CURATED and OPS sit beside it.")
  public String schema = "VALIDATED";

  @Size(max = 255)
  @Pattern(Validation.IDENTIFIER_PATTERN)
  @JsonPropertyDescription("Table for loaded events; defaults to the Pipeline name in snake case.")
  public String table;

  @Default("merge")
  @JsonPropertyDescription("merge (upsert on key fields) or append.")
  public Mode mode = Mode.MERGE;
}
