package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Freshness targets: how old the newest loaded data may be. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FreshnessSpec {
  @Default("2m")
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @JsonPropertyDescription(
      "SLA of streaming tables (events, sessions, aggregates, CDC tables), e.g. 2m.")
  public String streamingSla = "2m";

  @Default("30m")
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @JsonPropertyDescription(
      "SLA of curated tables built by SQL transforms and batch loads, e.g. 30m.")
  public String curatedSla = "30m";

  @Default("15m")
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @JsonPropertyDescription(
      "SLA of the raw archive (spec.archive): how old its newest archived event may be, e.g."
          + " 15m; longer than spec.archive.maxObjectAge.")
  public String archiveSla;

  /** The archive's SLA when the spec sets none (the schema's default). */
  public static final String DEFAULT_ARCHIVE_SLA = "15m";
}
