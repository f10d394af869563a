package io.insighthub.workers.archive;

import io.insighthub.crds.v1alpha1.ArchiveSpec;
import io.insighthub.workers.files.archive.ArchiveLayout;
import io.insighthub.workers.files.archive.ArchiveRecord;
import io.insighthub.workers.files.archive.ObjectWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The records of one partition read since its last committed offset, split by hour into the objects
 * they will be written as. The split depends on the records alone (their event time, or their Kafka
 * timestamp when the event time is unusable), so reading the same offsets again builds the same
 * objects under the same keys.
 */
final class PartitionRange {
  /** An event time more than this after its record's Kafka timestamp is not trusted. */
  static final long MAX_FUTURE_SKEW_MILLIS = 24 * 3600_000L;

  /** One hour's object of this range. */
  record Hour(boolean untimed, Instant start) {}

  private final int partition;
  private final ArchiveSpec.Format format;
  private final RawEventTime eventTime;
  private final Map<Hour, ObjectWriter> objects = new LinkedHashMap<>();
  private final long startedNanos;
  private long rawBytes;
  private long records;
  private long untimed;
  private long last = -1;

  PartitionRange(int partition, ArchiveSpec.Format format, RawEventTime eventTime, long nowNanos) {
    this.partition = partition;
    this.format = format;
    this.eventTime = eventTime;
    this.startedNanos = nowNanos;
  }

  void add(ConsumerRecord<byte[], byte[]> record) {
    long time = eventTime.of(record.value());
    boolean noTime =
        time == RawEventTime.NONE
            || (record.timestamp() >= 0 && time > record.timestamp() + MAX_FUTURE_SKEW_MILLIS);
    Hour hour =
        noTime
            ? new Hour(true, ArchiveLayout.hourOf(Math.max(0, record.timestamp())))
            : new Hour(false, ArchiveLayout.hourOf(time));
    java.util.List<ArchiveRecord.Header> headers = new java.util.ArrayList<>();
    for (Header h : record.headers()) {
      headers.add(new ArchiveRecord.Header(h.key(), h.value()));
    }
    objects
        .computeIfAbsent(hour, h -> new ObjectWriter(format))
        .add(
            new ArchiveRecord(
                partition,
                record.offset(),
                record.timestamp(),
                record.key(),
                record.value(),
                headers,
                null),
            noTime ? RawEventTime.NONE : time);
    rawBytes +=
        (record.key() == null ? 0 : record.key().length)
            + (record.value() == null ? 0 : record.value().length);
    records++;
    if (noTime) {
      untimed++;
    }
    last = record.offset();
  }

  boolean isEmpty() {
    return records == 0;
  }

  long rawBytes() {
    return rawBytes;
  }

  long records() {
    return records;
  }

  long untimed() {
    return untimed;
  }

  int hours() {
    return objects.size();
  }

  long startedNanos() {
    return startedNanos;
  }

  /** Offset of the last record added. */
  long lastOffset() {
    return last;
  }

  Map<Hour, ObjectWriter> objects() {
    return objects;
  }

  /** The newest usable event time of the range, or {@link RawEventTime#NONE}. */
  long maxEventTime() {
    long max = RawEventTime.NONE;
    for (var e : objects.entrySet()) {
      if (!e.getKey().untimed()) {
        max = Math.max(max, e.getValue().maxEventTime());
      }
    }
    return max;
  }
}
