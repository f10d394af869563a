package io.insighthub.crds.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.insighthub.crds.v1alpha1.DuplicatesCheck;
import io.insighthub.crds.v1alpha1.LateArrivalCheck;
import io.insighthub.crds.v1alpha1.NullSpikeCheck;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.v1alpha1.VolumeCheck;
import java.util.Locale;

/**
 * One check of one QualityRule as the workers evaluate it: the operator renders one per check a
 * rule declares, with exactly the parameters of {@link #kind()} set.
 *
 * @param rule name of the QualityRule
 * @param table the table the rule is bound to (as written in the rule), or null for the Pipeline's
 *     events table
 * @param kind which check
 * @param severity how serious a violation is
 * @param action what a violation does besides being reported
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record QualityCheck(
    String rule,
    String table,
    Kind kind,
    QualityRuleSpec.Severity severity,
    QualityRuleSpec.Action action,
    SchemaDriftCheck schemaDrift,
    DuplicatesCheck duplicates,
    NullSpikeCheck nullSpike,
    LateArrivalCheck lateArrival,
    VolumeCheck volume) {

  /** The kinds of check, named as in the QualityRule spec. */
  public enum Kind {
    @JsonProperty("schemaDrift")
    SCHEMA_DRIFT("schemaDrift"),
    @JsonProperty("duplicates")
    DUPLICATES("duplicates"),
    @JsonProperty("nullSpike")
    NULL_SPIKE("nullSpike"),
    @JsonProperty("lateArrival")
    LATE_ARRIVAL("lateArrival"),
    @JsonProperty("volume")
    VOLUME("volume");

    private final String specName;

    Kind(String specName) {
      this.specName = specName;
    }

    /** The name used in the spec and in status: nullSpike, volume, ... */
    public String specName() {
      return specName;
    }
  }

  /**
   * Whether this check applies to {@code schemaTable} (SCHEMA.TABLE): the rule's table (with or
   * without its schema), or the Pipeline's events table when the rule names none.
   */
  public boolean appliesTo(String schemaTable, String eventsTable) {
    String wanted = table == null ? eventsTable : table;
    if (wanted == null || schemaTable == null) {
      return false;
    }
    return wanted.equalsIgnoreCase(schemaTable)
        || (!wanted.contains(".")
            && schemaTable
                .toUpperCase(Locale.ROOT)
                .endsWith("." + wanted.toUpperCase(Locale.ROOT)));
  }
}
