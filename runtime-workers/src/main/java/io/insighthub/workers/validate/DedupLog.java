package io.insighthub.workers.validate;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault-tolerant copy of validate's dedup state: a topic {@code <application id>-dedup-log}
 * with one partition per raw partition. Each transaction that accepts events on raw partition p
 * also writes, to partition p of this log, the ids it accepted (128-bit hashes with their event
 * times) and the newest event time, in records of up to {@link #MAX_IDS_PER_RECORD} ids: one record
 * per commit instead of one changelog record per event. Being in the same transaction as the
 * outputs and the consumed offsets, the log always matches the committed position, so a partition's
 * new owner rebuilds exactly the state that decided the committed outputs.
 *
 * <p>Records are time-stamped when written; a restore reads those of the last {@link
 * #lookback(Duration, Duration)} (twice the lateness plus twice the window, plus ten minutes, so an
 * event time trailing the clock still finds its ids), and at least the last few, which hold the
 * newest event time. The topic deletes records a day after that reach, as Kafka Streams does for a
 * windowed changelog.
 */
final class DedupLog {
  static final byte FORMAT = 1;
  static final int MAX_IDS_PER_RECORD = 32_768;
  private static final int HEADER_BYTES = 1 + 8 + 4;

  /** Offsets read back from the end whatever their time, so the newest event time is found. */
  private static final int TAIL_OFFSETS = 64;

  private static final Duration STALL = Duration.ofMinutes(2);

  private static final Logger LOG = LoggerFactory.getLogger(DedupLog.class);

  private DedupLog() {}

  static String topic(String applicationId) {
    return applicationId + "-dedup-log";
  }

  /** How far back (by the records' write time) a restore reads. */
  static Duration lookback(Duration window, Duration lateness) {
    return window.plus(lateness).multipliedBy(2).plusMinutes(10);
  }

  /** {@code (hi, lo, time)} triples and the newest event time as log record values. */
  static List<byte[]> encode(long newest, long[] entries) {
    int ids = entries.length / 3;
    List<byte[]> records = new ArrayList<>(1 + ids / MAX_IDS_PER_RECORD);
    for (int from = 0; from < ids || from == 0; from += MAX_IDS_PER_RECORD) {
      int count = Math.min(MAX_IDS_PER_RECORD, ids - from);
      ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + 24 * count);
      out.put(FORMAT).putLong(newest).putInt(count);
      out.asLongBuffer().put(entries, 3 * from, 3 * count);
      records.add(out.array());
    }
    return records;
  }

  /** Applies one log record to {@code seen}; a record it cannot read fails the restore. */
  static void replay(byte[] value, SeenIds seen, String where) {
    if (value == null || value.length < HEADER_BYTES || value[0] != FORMAT) {
      throw new IllegalStateException(
          "dedup log record "
              + where
              + " is not in format "
              + FORMAT
              + ": was the topic written by another program? Delete it to start with an empty"
              + " dedup state");
    }
    ByteBuffer in = ByteBuffer.wrap(value);
    in.get();
    long newest = in.getLong();
    int count = in.getInt();
    if (count < 0 || value.length != HEADER_BYTES + 24L * count) {
      throw new IllegalStateException("dedup log record " + where + " is truncated");
    }
    long[] entries = new long[3 * count];
    in.asLongBuffer().get(entries);
    seen.replay(newest, entries, count);
  }

  /**
   * Rebuilds the state of {@code partition} of the log from its committed records: those written
   * within {@code lookback} of now and at least the last {@link #TAIL_OFFSETS} offsets. {@code
   * restore} is a read_committed consumer outside any group; it is left unassigned.
   */
  static SeenIds restore(
      Consumer<byte[], byte[]> restore,
      TopicPartition partition,
      SeenIds into,
      Duration lookback,
      long nowMillis) {
    long started = System.nanoTime();
    restore.assign(List.of(partition));
    try {
      Set<TopicPartition> one = Set.of(partition);
      long begin = restore.beginningOffsets(one).get(partition);
      long end = restore.endOffsets(one).get(partition);
      if (end <= begin) {
        return into;
      }
      OffsetAndTimestamp recent =
          restore
              .offsetsForTimes(Map.of(partition, Math.max(0, nowMillis - lookback.toMillis())))
              .get(partition);
      long tail = Math.max(begin, end - TAIL_OFFSETS);
      long from = recent == null ? tail : Math.min(recent.offset(), tail);
      restore.seek(partition, from);
      long records = 0;
      long lastProgress = System.nanoTime();
      long position = from;
      while (position < end) {
        for (ConsumerRecord<byte[], byte[]> r : restore.poll(Duration.ofMillis(500))) {
          if (r.offset() < end) {
            replay(r.value(), into, partition + "@" + r.offset());
            records++;
          }
        }
        long now = restore.position(partition);
        if (now > position) {
          position = now;
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
          throw new IllegalStateException(
              "restoring the dedup state from " + partition + " made no progress for " + STALL);
        }
      }
      LOG.info(
          "dedup state of {} restored from {} offsets {}..{}: {} records, {} ids, in {} ms",
          partition.partition(),
          partition.topic(),
          from,
          end,
          records,
          into.size(),
          (System.nanoTime() - started) / 1_000_000);
      return into;
    } finally {
      restore.assign(List.of());
    }
  }

  /**
   * Creates the log (delete policy, as many partitions as the raw topic, retention one day past the
   * restore's reach), or adds partitions when the raw topic gained some.
   */
  static void ensureTopic(Admin admin, String topic, int partitions, Duration lookback)
      throws InterruptedException {
    try {
      Map<String, TopicDescription> existing =
          admin.describeTopics(List.of(topic)).allTopicNames().get();
      int have = existing.get(topic).partitions().size();
      if (have < partitions) {
        admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all().get();
        LOG.info("dedup log {}: partitions {} → {}", topic, have, partitions);
      }
      return;
    } catch (ExecutionException e) {
      if (!(e.getCause()
          instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
        throw new IllegalStateException(
            "cannot describe the dedup log topic " + topic + ": " + e.getCause(), e.getCause());
      }
    }
    long retention = lookback.plusDays(1).toMillis();
    NewTopic log =
        new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty())
            .configs(
                Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG,
                    Long.toString(retention),
                    TopicConfig.SEGMENT_MS_CONFIG,
                    Long.toString(Math.min(retention / 4, Duration.ofHours(6).toMillis())),
                    TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                    "CreateTime"));
    try {
      admin.createTopics(List.of(log)).all().get();
      LOG.info("dedup log {} created with {} partitions", topic, partitions);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "cannot create the dedup log topic "
                + topic
                + " ("
                + e.getCause()
                + "): create it with "
                + partitions
                + " partitions, or grant the worker's Kafka user the right to",
            e.getCause());
      }
    }
  }
}
