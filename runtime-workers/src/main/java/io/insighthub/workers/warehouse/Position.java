package io.insighthub.workers.warehouse;

import java.util.Comparator;

/**
 * Where a change sits in the source's history: the PostgreSQL LSN, then its order within the
 * transaction, then (for ties at one LSN, e.g. snapshot reads) the Kafka offset.
 */
public record Position(long lsn, long txOrder, long kafkaOffset) implements Comparable<Position> {
  private static final Comparator<Position> ORDER =
      Comparator.comparingLong(Position::lsn)
          .thenComparingLong(Position::txOrder)
          .thenComparingLong(Position::kafkaOffset);

  @Override
  public int compareTo(Position other) {
    return ORDER.compare(this, other);
  }

  public boolean isNewerThan(Position other) {
    return compareTo(other) > 0;
  }
}
