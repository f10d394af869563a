package io.insighthub.workers.quality;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A field's null ratio over a rolling window, kept as per-bucket row and null counts (a bucket is a
 * hundredth of the window, at least a second), so memory stays bounded whatever the batch rate.
 */
public final class RollingBaseline {
  private record Bucket(long start, long rows, long nulls) {}

  private final long windowMillis;
  private final long bucketMillis;
  private final Deque<Bucket> buckets = new ArrayDeque<>();
  private long rows;
  private long nulls;

  public RollingBaseline(Duration window) {
    this.windowMillis = window.toMillis();
    this.bucketMillis = Math.max(1000, windowMillis / 100);
  }

  /** Adds a batch's counts at {@code at}. */
  public void add(long batchRows, long batchNulls, Instant at) {
    expire(at);
    long start = at.toEpochMilli() / bucketMillis * bucketMillis;
    Bucket last = buckets.peekLast();
    if (last != null && last.start() == start) {
      buckets.pollLast();
      buckets.addLast(new Bucket(start, last.rows() + batchRows, last.nulls() + batchNulls));
    } else {
      buckets.addLast(new Bucket(start, batchRows, batchNulls));
    }
    rows += batchRows;
    nulls += batchNulls;
  }

  /** The null ratio over the window up to {@code at}; null when no rows were seen in it. */
  public Double ratio(Instant at) {
    expire(at);
    return rows == 0 ? null : (double) nulls / rows;
  }

  private void expire(Instant at) {
    long oldest = at.toEpochMilli() - windowMillis;
    while (!buckets.isEmpty() && buckets.peekFirst().start() + bucketMillis <= oldest) {
      Bucket gone = buckets.pollFirst();
      rows -= gone.rows();
      nulls -= gone.nulls();
    }
  }
}
