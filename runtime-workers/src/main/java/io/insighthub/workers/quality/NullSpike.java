package io.insighthub.workers.quality;

import io.insighthub.crds.v1alpha1.NullSpikeCheck;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import java.time.Instant;
import java.util.Locale;

/**
 * The nullSpike math: a batch's null ratio of one field against {@code maxNullRatio} and against
 * {@code maxFactor} times the field's rolling baseline. Pure: same inputs, same verdict.
 */
public final class NullSpike {
  /**
   * A baseline under this ratio counts as this ratio: a field that is almost never null would
   * otherwise fail on its first null, whatever the factor.
   */
  public static final double BASELINE_FLOOR = 0.001;

  private NullSpike() {}

  /**
   * @param rows rows in the batch
   * @param nulls rows whose field is null or absent
   * @param baseline the field's null ratio over the baseline window, null when there is no history
   *     yet (the factor is then not applied)
   * @return the result, or null when nothing could be evaluated (no rows, or only a factor and no
   *     baseline yet)
   */
  public static QualityResult evaluate(
      QualityCheck check, String table, long rows, long nulls, Double baseline, Instant at) {
    NullSpikeCheck spec = check.nullSpike();
    boolean factor = spec.maxFactor != null && baseline != null;
    if (rows == 0 || (spec.maxNullRatio == null && !factor)) {
      return null;
    }
    double ratio = (double) nulls / rows;
    String field = spec.field;
    if (spec.maxNullRatio != null && ratio > spec.maxNullRatio) {
      return result(
          check,
          table,
          at,
          false,
          rows,
          nulls,
          ratio,
          spec.maxNullRatio,
          "null ratio of %s %s > max %s on %s"
              .formatted(field, fmt(ratio), fmt(spec.maxNullRatio), table));
    }
    if (factor) {
      double limit = spec.maxFactor * Math.max(baseline, BASELINE_FLOOR);
      if (ratio > limit) {
        return result(
            check,
            table,
            at,
            false,
            rows,
            nulls,
            ratio,
            limit,
            "null ratio of %s %s > %sx baseline %s on %s"
                .formatted(field, fmt(ratio), fmt(spec.maxFactor), fmt(baseline), table));
      }
    }
    double limit =
        spec.maxNullRatio != null
            ? spec.maxNullRatio
            : spec.maxFactor * Math.max(baseline, BASELINE_FLOOR);
    return result(
        check,
        table,
        at,
        true,
        rows,
        0,
        ratio,
        limit,
        "null ratio of %s %s within limit %s on %s"
            .formatted(field, fmt(ratio), fmt(limit), table));
  }

  private static QualityResult result(
      QualityCheck check,
      String table,
      Instant at,
      boolean passed,
      long rows,
      long violations,
      double observed,
      double threshold,
      String message) {
    return new QualityResult(
        check.rule(),
        check.kind(),
        table,
        check.severity(),
        at,
        passed,
        rows,
        violations,
        observed,
        threshold,
        message);
  }

  /** Two significant decimals, enough to read a ratio in a condition message. */
  static String fmt(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e9) {
      return Long.toString((long) value);
    }
    return String.format(Locale.ROOT, "%.3g", value).replaceAll("0+$", "");
  }
}
