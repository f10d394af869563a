package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Personal-data handling: what happens to each PII field before it leaves the raw layer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.fields) || !self.fields.exists(f, f.action == 'hash')"
            + " || has(self.hashKeySecretRef)",
    message =
        "pii.hashKeySecretRef is required when a field uses action hash: reference the Secret"
            + " that holds the HMAC key (the key itself never appears in the resource)",
    reason = "FieldValueRequired")
public class PiiSpec {
  @Size(max = 100)
  @ValidationRule(
      value = "self.all(f, self.exists_one(o, o.field == f.field))",
      message = "spec.pii.fields: each field may appear once; remove the duplicate",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription(
      "PII fields and their action: hash (keyed HMAC-SHA256, joinable), drop, or mask. For a"
          + " Pipeline a field is an event field; for a CdcSource it is schema.table.column.")
  public List<PiiField> fields = new ArrayList<>();

  @JsonPropertyDescription(
      "Secret key holding the HMAC key for action hash (default key: hmac-key). Required when a"
          + " field is hashed; the key never appears in config, logs or status.")
  public SecretKeyRef hashKeySecretRef;

  @Min(1)
  @Max(30)
  @Default("30")
  @JsonPropertyDescription(
      "Age in days (by event time) after which pii-purge minimizes the PII fields of raw data:"
          + " archive objects are rewritten with the rules of fields, RAW warehouse rows get their"
          + " PII columns nulled (at most 30).")
  public Integer rawPurgeAfterDays = 30;

  @Size(max = 128)
  @Default("15 3 * * *")
  @ValidationRule(
      value = Validation.CRON_RULE,
      message = "spec.pii.purgeSchedule " + Validation.CRON_MESSAGE)
  @JsonPropertyDescription(
      "When the pii-purge CronJob runs (5-field cron, UTC); run it at least daily so that"
          + " rawPurgeAfterDays plus one interval stays within 30 days.")
  public String purgeSchedule = "15 3 * * *";
}
