package io.insighthub.workers.archive;

import io.insighthub.crds.worker.Watermark;
import io.insighthub.workers.files.archive.ArchiveLayout;
import io.insighthub.workers.files.archive.ArchiveMetadata;
import io.insighthub.workers.files.archive.ObjectWriter;
import io.insighthub.workers.files.archive.S3Store;
import io.insighthub.workers.warehouse.WatermarkPublisher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The archiver's loop: a member of the stage's consumer group reading the raw topic, which writes
 * each partition's records in ranges of consecutive offsets, each range as one object per hour it
 * touches, and commits the range's end as the group's offset. Exactly once, across crashes and
 * rebalances, by a write-ahead intent: before the first object of a range is written, the range's
 * last offset is committed as the metadata of the partition's (unchanged) offset. Whoever owns the
 * partition next (this process again, a restart, another replica) reads that intent and cuts the
 * range at the same offset, so it builds the same objects under the same keys: an object already
 * there is one a previous attempt wrote (checked by the SHA-256 of its records), and nothing is
 * written twice or left out. A range is written once it holds {@code maxObjectBytes}, touches
 * {@value ArchiveSettings#MAX_HOURS_PER_RANGE} hours, or its first record waited {@code
 * maxObjectAge}; an intent, once committed, fixes its end whatever the limits.
 */
final class ArchiveLoop {
  static final String INTENT = "insighthub-archive:v1:end=";

  private static final Logger LOG = LoggerFactory.getLogger(ArchiveLoop.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

  private final ArchiveSettings settings;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final S3Store store;
  private final ArchiveMetrics metrics;
  private final WatermarkPublisher watermarks;
  private final Clock clock;
  private final RawEventTime eventTime;
  private final Map<TopicPartition, Owned> owned = new HashMap<>();
  private long maxEventTime = RawEventTime.NONE;

  /** A partition this member owns: its committed offset, the intent to honour, the open range. */
  private static final class Owned {
    final TopicPartition partition;
    long committed;
    Long intentEnd;
    boolean retried;
    PartitionRange range;

    Owned(TopicPartition partition, long committed, Long intentEnd) {
      this.partition = partition;
      this.committed = committed;
      this.intentEnd = intentEnd;
      this.retried = intentEnd != null;
    }
  }

  ArchiveLoop(
      ArchiveSettings settings,
      KafkaConsumer<byte[], byte[]> consumer,
      S3Store store,
      ArchiveMetrics metrics,
      WatermarkPublisher watermarks,
      Clock clock) {
    this.settings = settings;
    this.consumer = consumer;
    this.store = store;
    this.metrics = metrics;
    this.watermarks = watermarks;
    this.clock = clock;
    this.eventTime = new RawEventTime(settings.archive().eventTimeField());
  }

  /** Runs until {@code stop} answers true; then writes the ranges it can close. */
  void run(BooleanSupplier stop, Runnable ready) {
    consumer.subscribe(List.of(settings.rawTopic()), new Rebalance());
    ready.run();
    while (!stop.getAsBoolean()) {
      ConsumerRecords<byte[], byte[]> records;
      try {
        records = consumer.poll(POLL);
      } catch (WakeupException e) {
        break;
      }
      for (TopicPartition partition : records.partitions()) {
        for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
          Owned at = owned.get(partition);
          if (at == null) {
            break; // revoked meanwhile, or rewound after a failed write: read again later
          }
          if (at.range == null) {
            at.range = newRange(partition);
          }
          at.range.add(record);
          if (due(at) && !write(at)) {
            break; // rewound: the rest of this batch is read again
          }
        }
      }
      long now = System.nanoTime();
      for (Owned at : List.copyOf(owned.values())) {
        if (at.range != null
            && at.intentEnd == null
            && now - at.range.startedNanos() >= settings.maxObjectAge().toNanos()) {
          write(at);
        }
      }
    }
    for (Owned at : List.copyOf(owned.values())) {
      if (closable(at)) {
        write(at);
      }
    }
  }

  private PartitionRange newRange(TopicPartition partition) {
    return new PartitionRange(
        partition.partition(), settings.archive().format(), eventTime, System.nanoTime());
  }

  /** Whether the open range is to be written now. */
  private boolean due(Owned at) {
    if (at.intentEnd != null) {
      return at.range.lastOffset() >= at.intentEnd;
    }
    return at.range.rawBytes() >= settings.archive().maxObjectBytes()
        || at.range.hours() >= ArchiveSettings.MAX_HOURS_PER_RANGE;
  }

  /** A range that may be written on leaving: one that an intent does not hold open. */
  private static boolean closable(Owned at) {
    return at.range != null && (at.intentEnd == null || at.range.lastOffset() >= at.intentEnd);
  }

  /**
   * Writes the partition's open range; on a failure that retrying can fix (a rebalance during a
   * commit, the object store unreachable) the partition goes back to its committed offset and the
   * range is read again.
   */
  private boolean write(Owned at) {
    try {
      flush(at);
      return true;
    } catch (AuthorizationException | AuthenticationException e) {
      throw e;
    } catch (KafkaException | SdkException e) {
      LOG.warn(
          "writing partition {} offsets {}..{} failed, reading them again: {}",
          at.partition.partition(),
          at.committed,
          at.range == null ? "?" : at.range.lastOffset(),
          e.toString());
      at.range = null;
      at.retried = at.intentEnd != null;
      if (owned.get(at.partition) == at) {
        consumer.seek(at.partition, at.committed);
      }
      LockSupport.parkNanos(RETRY_PAUSE.toNanos());
      return false;
    }
  }

  private void flush(Owned at) {
    PartitionRange range = at.range;
    long last = range.lastOffset();
    long started = System.nanoTime();
    TopicPartition tp = at.partition;
    if (!Objects.equals(at.intentEnd, last)) {
      consumer.commitSync(Map.of(tp, new OffsetAndMetadata(at.committed, INTENT + last)));
      at.intentEnd = last;
    }
    String prefix = settings.archive().prefix();
    Instant now = clock.instant();
    long bytes = 0;
    for (var entry : range.objects().entrySet()) {
      PartitionRange.Hour hour = entry.getKey();
      ObjectWriter writer = entry.getValue();
      byte[] object = writer.finish();
      Map<String, String> metadata = writer.metadata(settings.rawTopic(), tp.partition());
      String key =
          ArchiveLayout.key(
              prefix,
              hour.untimed(),
              hour.start(),
              tp.partition(),
              writer.firstOffset(),
              writer.lastOffset(),
              settings.archive().format());
      bytes += object.length;
      if (hour.start().isBefore(now.minus(ArchiveSettings.LATE_MARKER_AFTER))) {
        // pii-purge may have passed this hour already: leave it a marker to find the object by.
        store.put(
            ArchiveLayout.lateMarker(prefix, now.atOffset(ZoneOffset.UTC).toLocalDate(), key),
            new byte[0],
            Map.of());
      }
      if (at.retried && purgedCopyExists(key)) {
        metrics.existing.increment();
        continue;
      }
      if (store.putIfAbsent(key, object, metadata) == S3Store.Put.EXISTS) {
        sameRecords(key, metadata);
        metrics.existing.increment();
      } else {
        metrics.objects.increment();
        metrics.bytes.increment(object.length);
      }
    }
    consumer.commitSync(Map.of(tp, new OffsetAndMetadata(last + 1)));
    at.committed = last + 1;
    at.intentEnd = null;
    at.retried = false;
    at.range = null;
    metrics.records.increment(range.records());
    metrics.untimed.increment(range.untimed());
    metrics.flush.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    maxEventTime = Math.max(maxEventTime, range.maxEventTime());
    watermarks.publish(
        new Watermark(
            settings.namespace(),
            settings.pipeline(),
            settings.archive().location(),
            maxEventTime == RawEventTime.NONE ? null : Instant.ofEpochMilli(maxEventTime),
            clock.instant(),
            range.records(),
            0));
    LOG.debug(
        "partition {} offsets ..{} archived: {} records, {} objects, {} bytes",
        tp.partition(),
        last,
        range.records(),
        range.objects().size(),
        bytes);
  }

  /** Whether pii-purge already rewrote the object under {@code key} (a retry after a purge). */
  private boolean purgedCopyExists(String key) {
    return ArchiveLayout.parse(settings.archive().prefix(), key)
        .map(k -> store.metadata(k.purgedKey()).isPresent())
        .orElse(false);
  }

  /** An object found under a range's key must hold the range's records, or two writers disagree. */
  private void sameRecords(String key, Map<String, String> metadata) {
    String found = store.metadata(key).map(m -> m.get(ArchiveMetadata.SOURCE_SHA256)).orElse(null);
    if (!Objects.equals(found, metadata.get(ArchiveMetadata.SOURCE_SHA256))) {
      throw new ArchiveConflictException(
          "archive object "
              + key
              + " exists with other records than offsets "
              + metadata.get(ArchiveMetadata.FIRST_OFFSET)
              + ".."
              + metadata.get(ArchiveMetadata.LAST_OFFSET)
              + " hold now: another archiver writes to the same prefix, or the raw topic was"
              + " recreated (its offsets start again); give spec.archive.uri a new prefix");
    }
  }

  /** The range end a committed offset's metadata asks to honour, or null. */
  static Long intent(OffsetAndMetadata committed) {
    if (committed == null || committed.metadata() == null) {
      return null;
    }
    String metadata = committed.metadata();
    if (!metadata.startsWith(INTENT)) {
      return null;
    }
    try {
      return Long.parseLong(metadata.substring(INTENT.length()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      for (TopicPartition partition : partitions) {
        Owned at = owned.get(partition);
        if (at != null && closable(at)) {
          write(at);
        }
        owned.remove(partition);
      }
      if (!partitions.isEmpty()) {
        LOG.info("partitions revoked: {}", numbers(partitions));
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(owned::remove);
      LOG.warn("partitions lost: {}", numbers(partitions));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
      Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
      for (TopicPartition partition : partitions) {
        OffsetAndMetadata at = committed.get(partition);
        long start = beginning.getOrDefault(partition, 0L);
        long position = at != null ? at.offset() : start;
        Long intent = intent(at);
        if (position < start) {
          metrics.lost.increment(start - position);
          LOG.error(
              "partition {}: offsets {}..{} were deleted by the raw topic's retention before they"
                  + " were archived; archiving from {}",
              partition.partition(),
              position,
              start - 1,
              start);
          position = start;
          intent = null;
        }
        consumer.seek(partition, position);
        owned.put(partition, new Owned(partition, position, intent));
        if (intent != null) {
          LOG.info(
              "partition {}: a range up to offset {} was being written; writing it again",
              partition.partition(),
              intent);
        }
      }
      LOG.info("partitions assigned: {}", numbers(partitions));
    }
  }

  private static List<Integer> numbers(Collection<TopicPartition> partitions) {
    List<Integer> numbers = new ArrayList<>();
    partitions.forEach(p -> numbers.add(p.partition()));
    numbers.sort(null);
    return numbers;
  }

  /** Two writers disagree about an object's records: the stage stops rather than guess. */
  static final class ArchiveConflictException extends RuntimeException {
    ArchiveConflictException(String message) {
      super(message);
    }
  }
}
