package io.insighthub.workers.validate;

import io.insighthub.workers.rows.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread of the validate stage: a transactional consume-transform-produce loop. It is a member
 * of the stage's consumer group; for each raw partition it owns it keeps the {@link SeenIds}, and
 * every commit interval it commits one transaction holding the outputs (validated, DLQ, late), the
 * ids accepted per partition ({@link DedupLog}) and the consumed offsets, bound to the group's
 * generation so a member that lost its partitions cannot commit (zombie fencing, KIP-447).
 *
 * <p>Recovery: a partition's new owner (after a rebalance or a crash) reads its committed offset,
 * which waits for any transaction still open on it, then rebuilds its state from the log. When a
 * transaction fails (a rebalance while committing, a broker error), it is aborted and every owned
 * partition goes back to its last committed offset and state, as if the process had restarted. A
 * fenced producer, an authorization failure or the drift policy {@code halt} stop the loop: the
 * open transaction is aborted, and the exception propagates for the stage's exit code.
 */
final class ValidateLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ValidateLoop.class);
  private static final Duration POLL = Duration.ofMillis(100);

  /**
   * Failed transactions in a row before the stage gives up (e.g. an output the broker always
   * refuses), so a failure that retrying cannot fix stops the process with its cause.
   */
  static final int MAX_FAILED_IN_A_ROW = 10;

  private final ValidateSettings settings;
  private final Validator validator;
  private final ValidateMetrics metrics;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> restorer;
  private final String logTopic;
  private final Duration lookback;
  private final long commitIntervalNanos;
  private final long maxIds;
  private final long maxSpilledIds;
  private final DedupSpill spill;
  private final Map<TopicPartition, Owned> owned = new HashMap<>();
  private boolean inTransaction;
  private long transactionStarted;
  private int failedInARow;

  /** A raw partition this thread owns: its state and positions. */
  private static final class Owned {
    final TopicPartition partition;
    final byte[] topicBytes;
    final byte[] partitionBytes;
    SeenIds seen;
    long committed;
    long next;

    Owned(TopicPartition partition, SeenIds seen, long position) {
      this.partition = partition;
      this.topicBytes = partition.topic().getBytes(StandardCharsets.UTF_8);
      this.partitionBytes =
          Integer.toString(partition.partition()).getBytes(StandardCharsets.UTF_8);
      this.seen = seen;
      this.committed = position;
      this.next = position;
    }
  }

  ValidateLoop(
      ValidateSettings settings,
      Validator validator,
      ValidateMetrics metrics,
      KafkaConsumer<byte[], byte[]> consumer,
      KafkaProducer<byte[], byte[]> producer,
      KafkaConsumer<byte[], byte[]> restorer,
      String logTopic,
      Duration commitInterval,
      long maxIds,
      long maxSpilledIds,
      DedupSpill spill) {
    this.settings = settings;
    this.validator = validator;
    this.metrics = metrics;
    this.consumer = consumer;
    this.producer = producer;
    this.restorer = restorer;
    this.logTopic = logTopic;
    this.lookback = DedupLog.lookback(settings.dedupWindow(), settings.allowedLateness());
    this.commitIntervalNanos = commitInterval.toNanos();
    this.maxIds = maxIds;
    this.maxSpilledIds = maxSpilledIds;
    this.spill = spill;
  }

  /** Runs until {@code stop} answers true, then commits what it processed; see the class doc. */
  void run(BooleanSupplier stop, Runnable ready) {
    producer.initTransactions();
    consumer.subscribe(List.of(settings.rawTopic()), new Rebalance());
    ready.run();
    try {
      while (!stop.getAsBoolean()) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        try {
          process(records);
          if (inTransaction && System.nanoTime() - transactionStarted >= commitIntervalNanos) {
            commit();
          }
        } catch (KafkaException e) {
          if (fatal(e)) {
            throw e;
          }
          if (++failedInARow > MAX_FAILED_IN_A_ROW) {
            throw new IllegalStateException(
                MAX_FAILED_IN_A_ROW + " transactions in a row failed, the last with " + e, e);
          }
          LOG.warn("transaction failed, rewinding to the last commit: {}", e.toString());
          abortAndRewind(owned.keySet());
        }
      }
      if (inTransaction) {
        commit();
      }
    } catch (RuntimeException e) {
      abortQuietly();
      throw e;
    }
  }

  private void process(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition partition : records.partitions()) {
      Owned at = owned.get(partition);
      if (at == null) {
        continue; // revoked in this poll's rebalance; its new owner reads it again
      }
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        process(at, record);
      }
      trim(at);
    }
  }

  /**
   * Keeps the partition within its share of this thread's dedup budgets: over the memory budget the
   * oldest ids spill to disk, over the disk budget (or without a store) they are forgotten.
   */
  private void trim(Owned at) {
    budget(at.seen, owned.size());
    long forgotten = at.seen.trim();
    if (forgotten > 0) {
      metrics.dedupForgotten.increment(forgotten);
      LOG.warn(
          "dedup ids of partition {} exceed the budget ({} ids in memory, {} on disk per"
              + " thread): forgot the oldest {}; repeats of those events are no longer dropped."
              + " Give the stage more memory or disk ({} or {}) or more replicas",
          at.partition.partition(),
          maxIds,
          spill == null ? "0" : maxSpilledIds == Long.MAX_VALUE ? "unbounded" : maxSpilledIds,
          forgotten,
          ValidateStage.MAX_DEDUP_IDS_ENV,
          ValidateStage.MAX_SPILLED_DEDUP_IDS_ENV);
    }
  }

  /** Sets {@code seen}'s share of the budgets among {@code partitions} partitions. */
  private void budget(SeenIds seen, int partitions) {
    int share = Math.max(1, partitions);
    seen.budget(
        maxIds / share, maxSpilledIds == Long.MAX_VALUE ? maxSpilledIds : maxSpilledIds / share);
  }

  private void process(Owned at, ConsumerRecord<byte[], byte[]> record) {
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
      transactionStarted = System.nanoTime();
    }
    long started = System.nanoTime();
    metrics.in.increment();
    switch (validator.classify(record.value(), at.seen)) {
      case Validator.Accept a -> {
        send(
            settings.validatedTopic(),
            record,
            a.key(),
            a.value(),
            output(at, record, a.eventTime(), null));
        metrics.validated.increment();
      }
      case Validator.Late l -> {
        send(
            settings.lateTopic(),
            record,
            l.key(),
            l.value(),
            output(at, record, l.eventTime(), Reason.LATE_EVENT));
        metrics.late.increment();
        metrics.lateOut.increment();
      }
      case Validator.Reject r -> {
        byte[] value = record.value();
        RecordHeaders headers = rejected(at, record, r);
        if (value != null && value.length > settings.maxEventBytes()) {
          // The whole record stays in the raw topic at the source offset; the DLQ keeps a prefix.
          headers.add(OutputHeaders.TRUNCATED_FROM_BYTES, ascii(Integer.toString(value.length)));
          value = Arrays.copyOf(value, settings.maxEventBytes());
        }
        send(settings.dlqTopic(), record, record.key(), value, headers);
        metrics.dlq(r.reason());
      }
      case Validator.Duplicate d -> metrics.duplicates.increment();
    }
    at.next = record.offset() + 1;
    metrics.latency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  private void send(
      String topic,
      ConsumerRecord<byte[], byte[]> in,
      byte[] key,
      byte[] value,
      RecordHeaders headers) {
    producer.send(new ProducerRecord<>(topic, null, in.timestamp(), key, value, headers));
  }

  /** Commits the open transaction: outputs, then each partition's accepted ids, then offsets. */
  private void commit() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Owned at : owned.values()) {
      if (at.seen.pendingCount() > 0) {
        long newest = at.seen.newest();
        for (byte[] record : DedupLog.encode(newest, at.seen.drainPending())) {
          producer.send(
              new ProducerRecord<>(logTopic, at.partition.partition(), null, null, record));
        }
      }
      if (at.next > at.committed) {
        offsets.put(at.partition, new OffsetAndMetadata(at.next));
      }
    }
    if (!offsets.isEmpty()) {
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
    }
    producer.commitTransaction();
    inTransaction = false;
    failedInARow = 0;
    long ids = 0;
    long spilled = 0;
    for (Owned at : owned.values()) {
      at.committed = at.next;
      ids += at.seen.size();
      spilled += at.seen.spilledSize();
    }
    metrics.dedupIds.put(this, ids);
    metrics.dedupSpilledIds.put(this, spilled);
  }

  /**
   * Aborts the open transaction, then puts each of {@code partitions} back to its last committed
   * offset and rebuilds its state from the log: what this transaction did is undone everywhere.
   */
  private void abortAndRewind(Collection<TopicPartition> partitions) {
    if (inTransaction) {
      inTransaction = false;
      producer.abortTransaction();
    }
    for (TopicPartition partition : List.copyOf(partitions)) {
      Owned at = owned.get(partition);
      if (at != null) {
        consumer.seek(partition, at.committed);
        at.next = at.committed;
        at.seen.release();
        at.seen = restore(partition, owned.size());
      }
    }
  }

  private void abortQuietly() {
    if (inTransaction) {
      inTransaction = false;
      try {
        producer.abortTransaction();
      } catch (KafkaException e) {
        LOG.warn("could not abort the open transaction (it times out instead): {}", e.toString());
      }
    }
  }

  /** A partition's state rebuilt from the log, within its share of {@code partitions}. */
  private SeenIds restore(TopicPartition raw, int partitions) {
    SeenIds seen =
        new SeenIds(
            settings.dedupWindow().toMillis(),
            settings.allowedLateness().toMillis(),
            spill,
            raw.partition());
    budget(seen, partitions);
    return DedupLog.restore(
        restorer,
        new TopicPartition(logTopic, raw.partition()),
        seen,
        lookback,
        System.currentTimeMillis());
  }

  /** Errors after which this producer cannot go on: the stage stops and is restarted. */
  static boolean fatal(KafkaException e) {
    return e instanceof ProducerFencedException
        || e instanceof InvalidProducerEpochException
        || e instanceof OutOfOrderSequenceException
        || e instanceof AuthorizationException
        || e instanceof AuthenticationException
        || e instanceof UnsupportedVersionException;
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (inTransaction) {
        try {
          commit();
        } catch (KafkaException e) {
          if (fatal(e)) {
            throw e;
          }
          LOG.warn("commit before giving up partitions failed: {}", e.toString());
          release(partitions);
          abortAndRewind(owned.keySet());
        }
      }
      release(partitions);
      LOG.info("partitions revoked: {}", numbers(partitions));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Another member may own them already: nothing of this transaction may be committed.
      release(partitions);
      abortAndRewind(owned.keySet());
      LOG.warn("partitions lost: {}", numbers(partitions));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      int after = owned.size() + partitions.size();
      for (TopicPartition partition : partitions) {
        // With read_committed this waits until no transaction on the partition is open, so the
        // log below holds everything its previous owner committed.
        long position = consumer.position(partition);
        Owned previous = owned.remove(partition);
        if (previous != null) {
          previous.seen.release();
        }
        owned.put(partition, new Owned(partition, restore(partition, after), position));
      }
      owned.values().forEach(ValidateLoop.this::trim);
      if (!partitions.isEmpty()) {
        LOG.info("partitions assigned: {}", numbers(partitions));
      }
    }
  }

  /** Forgets the partitions and removes their spilled ids. */
  private void release(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      Owned at = owned.remove(partition);
      if (at != null) {
        at.seen.release();
      }
    }
  }

  private static List<Integer> numbers(Collection<TopicPartition> partitions) {
    List<Integer> numbers = new ArrayList<>();
    partitions.forEach(p -> numbers.add(p.partition()));
    numbers.sort(null);
    return numbers;
  }

  // ---- headers: the source position on every output, plus the event time or the reason ----

  /** Validated and late records: the source position, the event time, the reason if any. */
  private static RecordHeaders output(
      Owned at, ConsumerRecord<byte[], byte[]> in, long eventTime, Reason reason) {
    RecordHeaders headers =
        new RecordHeaders(
            new Header[] {
              new RecordHeader(OutputHeaders.SOURCE_TOPIC, at.topicBytes),
              new RecordHeader(OutputHeaders.SOURCE_PARTITION, at.partitionBytes),
              new RecordHeader(OutputHeaders.SOURCE_OFFSET, ascii(Long.toString(in.offset()))),
              new RecordHeader(OutputHeaders.EVENT_TIME, ascii(Long.toString(eventTime)))
            });
    if (reason != null) {
      headers.add(OutputHeaders.REASON, ascii(reason.name()));
    }
    return headers;
  }

  /** The raw record's own headers, then the source position, the reason and its detail. */
  private static RecordHeaders rejected(
      Owned at, ConsumerRecord<byte[], byte[]> in, Validator.Reject reject) {
    RecordHeaders headers = new RecordHeaders(in.headers().toArray());
    headers.add(OutputHeaders.SOURCE_TOPIC, at.topicBytes);
    headers.add(OutputHeaders.SOURCE_PARTITION, at.partitionBytes);
    headers.add(OutputHeaders.SOURCE_OFFSET, ascii(Long.toString(in.offset())));
    headers.add(OutputHeaders.REASON, ascii(reject.reason().name()));
    headers.add(OutputHeaders.REASON_DETAIL, reject.detail().getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The group consumer's metrics (records lag among them), to bind to the stage's registry. */
  io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics consumerMetrics() {
    return new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer);
  }

  io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics producerMetrics() {
    return new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer);
  }

  @Override
  public void close() {
    try {
      consumer.close(Duration.ofSeconds(10));
    } finally {
      try {
        producer.close(Duration.ofSeconds(10));
      } finally {
        try {
          restorer.close(Duration.ofSeconds(5));
        } finally {
          if (spill != null) {
            spill.close();
          }
        }
      }
    }
  }
}
