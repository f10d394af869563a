package io.insighthub.workers.warehouse;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How the loaders read: two batches in flight at most. While an applier thread writes batch n, the
 * stage's thread polls and decodes batch n+1 and keeps filling it until batch n is written, so the
 * batch grows with the backlog and a slow warehouse transaction (a DuckDB checkpoint, a long MERGE)
 * is amortized over more rows instead of falling behind. Batches are written one at a time and in
 * order, each with its own offsets, so a crash still resumes from the last written batch.
 */
public final class LoaderPolling {
  /**
   * How large a batch may grow: records and record bytes (keys and values as read). With one batch
   * decoded and one being written, the heap holds two of them in parsed form, several times their
   * bytes.
   */
  public record Limits(int records, long bytes) {}

  /**
   * cdc-load's batches: change events collapse per key before they are merged, and a large batch
   * amortizes the position-guarded MERGE.
   */
  public static final Limits CHANGES = new Limits(50_000, 16L * 1024 * 1024);

  /**
   * load's batches: every event stays a row, parsed into a map of its fields until it is written
   * (~2-3 KB of heap per product event), so two batches fit a small worker heap (the local stack
   * gives workers 384 MiB).
   */
  public static final Limits EVENTS = new Limits(20_000, 8L * 1024 * 1024);

  /** How long a batch waits to fill before it is applied; bounds freshness under low load. */
  public static final Duration MAX_BATCH_WAIT = Duration.ofMillis(500);

  /** How often a filling batch checks whether the batch before it has been applied. */
  static final Duration APPLY_CHECK = Duration.ofMillis(20);

  /** Partition fetches large enough for a 50,000-record batch to fill in a few polls. */
  public static final int MAX_PARTITION_FETCH_BYTES = 8 * 1024 * 1024;

  private LoaderPolling() {}

  /** Where polled records go; {@link #records()} counts what the batch holds. */
  public interface Batch {
    void add(Iterable<ConsumerRecord<String, String>> records);

    int records();
  }

  /**
   * Polls into {@code batch} until it reaches {@code limits}, or, once the batch in flight (if any)
   * is applied: the consumer has caught up with its partitions (nothing to wait for), or {@link
   * #MAX_BATCH_WAIT} has passed. With no partition assigned yet it waits out the batch's time (a
   * consumer with no partitions cannot poll).
   */
  public static void fill(
      KafkaConsumer<String, String> consumer,
      CountDownLatch stopRequested,
      Batch batch,
      Limits limits,
      Future<?> inFlight) {
    long deadline = System.nanoTime() + MAX_BATCH_WAIT.toNanos();
    long bytes = 0;
    while (batch.records() < limits.records()
        && bytes < limits.bytes()
        && stopRequested.getCount() > 0) {
      boolean applying = inFlight != null && !inFlight.isDone();
      long left = deadline - System.nanoTime();
      if (consumer.assignment().isEmpty()) {
        try {
          stopRequested.await(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for a partition", e);
        }
        break;
      }
      if (!applying && (left <= 0 || (batch.records() > 0 && caughtUp(consumer)))) {
        break;
      }
      // While a batch is being applied, look at it every APPLY_CHECK; otherwise wait for records
      // until the deadline (a poll returns as soon as it has some).
      ConsumerRecords<String, String> records =
          consumer.poll(Duration.ofNanos(applying ? APPLY_CHECK.toNanos() : Math.max(0, left)));
      if (!records.isEmpty()) {
        for (ConsumerRecord<String, String> record : records) {
          bytes +=
              Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        }
        batch.add(records);
      }
    }
  }

  /**
   * A batch handed to the applier thread, and the consumer's positions right after it was polled
   * (past any transaction markers, unlike the batch's last offsets).
   */
  public record InFlight<T>(Future<T> report, Map<TopicPartition, OffsetAndMetadata> positions) {}

  /** The single daemon thread that writes one batch at a time, in order. */
  public static ExecutorService applier(String threadName) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread thread = new Thread(r, threadName);
          thread.setDaemon(true);
          return thread;
        });
  }

  /** The consumer's positions: past the last batch polled and any transaction markers. */
  public static Map<TopicPartition, OffsetAndMetadata> positions(
      KafkaConsumer<String, String> consumer) {
    Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
    for (TopicPartition partition : consumer.assignment()) {
      positions.put(partition, new OffsetAndMetadata(consumer.position(partition)));
    }
    return positions;
  }

  /** The result of the batch in flight, its failure rethrown as it was. */
  public static <T> T await(Future<T> inFlight) {
    try {
      return inFlight.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a batch was being applied", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Whether every assigned partition's position is at its end (as of the last fetch). */
  private static boolean caughtUp(KafkaConsumer<String, String> consumer) {
    for (TopicPartition partition : consumer.assignment()) {
      OptionalLong lag = consumer.currentLag(partition);
      if (lag.isEmpty() || lag.getAsLong() > 0) {
        return false;
      }
    }
    return true;
  }
}
