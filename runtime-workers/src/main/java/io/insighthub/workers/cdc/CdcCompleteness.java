package io.insighthub.workers.cdc;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * When a CdcSource's tables are complete as of a Debezium heartbeat, so that a table with no change
 * does not read as lagging.
 *
 * <p>The connector writes a heartbeat (its clock, {@code ts_ms}) after it has handed Kafka Connect
 * every change it has read so far. Once cdc-load has read a heartbeat of time T, taken the end
 * offsets of the table topics after that, and committed every table topic up to those offsets to
 * the warehouse, each table holds every change committed before T, less two allowances:
 *
 * <ul>
 *   <li>{@link #MARGIN}: a change produced just before the heartbeat may still sit in the
 *       producer's in-flight batch of another partition when the heartbeat is acknowledged;
 *   <li>the connector's own lag: Debezium also writes heartbeats between changes while it works
 *       through a backlog of the replication slot, when its clock is ahead of what it has read. The
 *       lag it showed (Kafka record time minus source commit time, the largest of each batch loaded
 *       with changes written after the last proven heartbeat) is taken off too; a connector that
 *       keeps up shows next to none.
 * </ul>
 *
 * One heartbeat is proven at a time: heartbeats read meanwhile are remembered by their newest time,
 * which gets its own end offsets once the one before is proven. So completeness is published at
 * most once per heartbeat, and under a steady load each proof waits for at most one backlog.
 * Single-threaded (the stage's polling thread).
 */
final class CdcCompleteness {
  /** Allowance for the connector's producer's in-flight batches (see the class comment). */
  static final Duration MARGIN = Duration.ofSeconds(2);

  private Instant pendingHeartbeat;
  private Map<TopicPartition, Long> pendingTargets;
  private Instant nextHeartbeat;
  private Instant lastProvenHeartbeat;

  /**
   * The largest connector lag seen per batch, by the batch's newest record time (epoch millis);
   * entries up to the last proven heartbeat are dropped.
   */
  private final NavigableMap<Long, Long> connectorLag = new TreeMap<>();

  /** A heartbeat of the source's connector was read. */
  void heartbeat(Instant time) {
    if (lastProvenHeartbeat != null && !time.isAfter(lastProvenHeartbeat)) {
      return;
    }
    if (pendingHeartbeat != null && !time.isAfter(pendingHeartbeat)) {
      return;
    }
    if (nextHeartbeat == null || time.isAfter(nextHeartbeat)) {
      nextHeartbeat = time;
    }
  }

  /**
   * Whether a heartbeat waits for the table topics' end offsets: the caller takes them now (after
   * the heartbeat was read) and hands them to {@link #target}.
   */
  boolean needsTargets() {
    return pendingHeartbeat == null && nextHeartbeat != null;
  }

  /** The end offsets of every table topic partition, taken after the heartbeat was read. */
  void target(Map<TopicPartition, Long> endOffsets) {
    if (!needsTargets()) {
      throw new IllegalStateException("no heartbeat waits for end offsets");
    }
    pendingHeartbeat = nextHeartbeat;
    pendingTargets = Map.copyOf(endOffsets);
    nextHeartbeat = null;
  }

  /**
   * The connector lag the changes of one batch showed: the largest Kafka record time minus source
   * commit time, and the batch's newest record time (both epoch millis).
   */
  void observe(long newestRecordMillis, long lagMillis) {
    if (lagMillis > 0
        && (lastProvenHeartbeat == null
            || newestRecordMillis > lastProvenHeartbeat.toEpochMilli())) {
      connectorLag.merge(newestRecordMillis, lagMillis, Math::max);
    }
  }

  /**
   * The positions committed to the warehouse (the next offset to load per partition). When they
   * reach the pending heartbeat's targets, returns the instant every table is complete as of, and
   * starts on the next heartbeat.
   */
  Optional<Instant> applied(Map<TopicPartition, Long> committed) {
    if (pendingHeartbeat == null) {
      return Optional.empty();
    }
    for (Map.Entry<TopicPartition, Long> target : pendingTargets.entrySet()) {
      if (target.getValue() > 0
          && committed.getOrDefault(target.getKey(), 0L) < target.getValue()) {
        return Optional.empty();
      }
    }
    long lag = connectorLag.values().stream().mapToLong(Long::longValue).max().orElse(0);
    Instant complete = pendingHeartbeat.minus(MARGIN).minusMillis(lag);
    lastProvenHeartbeat = pendingHeartbeat;
    connectorLag.headMap(lastProvenHeartbeat.toEpochMilli(), true).clear();
    pendingHeartbeat = null;
    pendingTargets = null;
    return Optional.of(complete);
  }
}
