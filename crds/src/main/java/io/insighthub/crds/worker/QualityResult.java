package io.insighthub.crds.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import java.time.Instant;

/**
 * One evaluation of one {@link QualityCheck}, as a worker publishes it inside a {@link Watermark}.
 * Counts, ratios, the rule and check only: never a field value, key or payload.
 *
 * @param rule name of the QualityRule
 * @param kind which of its checks
 * @param table the table (SCHEMA.TABLE) or stream evaluated
 * @param severity the rule's severity, so the operator needs no lookup to weigh a failure
 * @param evaluatedAt when the batch or interval was evaluated
 * @param passed whether the check held
 * @param rows rows (or records) the evaluation looked at
 * @param violations records that violated the check (the sample count); for an aggregate check such
 *     as volume, the rows short of or beyond the range
 * @param observed the measured figure: a null ratio, a row count, a count of records
 * @param threshold the limit it was held to
 * @param message what was found, e.g. {@code null ratio of account_id 0.31 > 3x baseline 0.02}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record QualityResult(
    String rule,
    QualityCheck.Kind kind,
    String table,
    QualityRuleSpec.Severity severity,
    Instant evaluatedAt,
    boolean passed,
    long rows,
    long violations,
    Double observed,
    Double threshold,
    String message) {

  /** Identifies the check and table this result is the latest of. */
  public String checkKey() {
    return rule + "/" + kind.specName() + "/" + table;
  }
}
