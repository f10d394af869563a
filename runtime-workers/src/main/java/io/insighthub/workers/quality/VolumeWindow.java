package io.insighthub.workers.quality;

import io.insighthub.crds.v1alpha1.VolumeCheck;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import java.time.Duration;
import java.time.Instant;

/**
 * Counts the rows loaded into one table over the volume check's interval (aligned to the epoch,
 * e.g. whole hours) and evaluates the count against minRows/maxRows when the interval closes. The
 * interval the loader started in is partial and is not evaluated; neither are intervals that passed
 * while the loader was not running.
 */
public final class VolumeWindow {
  private final QualityCheck check;
  private final String table;
  private final long intervalMillis;
  private long start;
  private boolean partial;
  private long rows;

  public VolumeWindow(QualityCheck check, String table, Duration interval, Instant startedAt) {
    this.check = check;
    this.table = table;
    this.intervalMillis = interval.toMillis();
    this.start = align(startedAt);
    this.partial = startedAt.toEpochMilli() > start;
  }

  /** Counts rows loaded at {@code at} (after {@link #advance} for the same instant). */
  public void add(long loaded) {
    rows += loaded;
  }

  /**
   * Closes the current interval if {@code now} is past it: returns its result (null if it was the
   * partial first one) and starts counting the interval {@code now} is in.
   */
  public QualityResult advance(Instant now) {
    if (now.toEpochMilli() < start + intervalMillis) {
      return null;
    }
    QualityResult result = partial ? null : evaluate(check, table, rows, now);
    start = align(now);
    partial = false;
    rows = 0;
    return result;
  }

  private long align(Instant at) {
    return at.toEpochMilli() / intervalMillis * intervalMillis;
  }

  /** The volume math: {@code rows} against the check's range. */
  public static QualityResult evaluate(QualityCheck check, String table, long rows, Instant at) {
    VolumeCheck spec = check.volume();
    String interval = spec.interval;
    boolean low = spec.minRows != null && rows < spec.minRows;
    boolean high = spec.maxRows != null && rows > spec.maxRows;
    long violations = low ? spec.minRows - rows : high ? rows - spec.maxRows : 0;
    Long limit = low || spec.maxRows == null ? spec.minRows : spec.maxRows;
    String message =
        low
            ? "%d rows in %s < min %d on %s".formatted(rows, interval, spec.minRows, table)
            : high
                ? "%d rows in %s > max %d on %s".formatted(rows, interval, spec.maxRows, table)
                : "%d rows in %s within %s..%s on %s"
                    .formatted(
                        rows,
                        interval,
                        spec.minRows == null ? "0" : spec.minRows,
                        spec.maxRows == null ? "" : spec.maxRows,
                        table);
    return new QualityResult(
        check.rule(),
        check.kind(),
        table,
        check.severity(),
        at,
        !(low || high),
        rows,
        violations,
        (double) rows,
        limit == null ? null : limit.doubleValue(),
        message);
  }
}
