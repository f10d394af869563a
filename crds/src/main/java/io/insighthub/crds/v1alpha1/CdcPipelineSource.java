package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** A Pipeline fed by a CdcSource: its tables get freshness, quality rules and transforms. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CdcPipelineSource {
  @Required
  @JsonPropertyDescription("The CdcSource (same namespace) whose tables this Pipeline tracks.")
  public ObjectRef sourceRef;

  @Size(max = 200)
  @ValidationRule(
      value = Validation.TABLES_RULE,
      message =
          "spec.source.cdc.tables: each entry must be schema.table, for example public.accounts",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "Subset of the CdcSource's tables (schema.table) this Pipeline tracks; empty means all.")
  public List<@Size(max = 256) String> tables = new ArrayList<>();
}
