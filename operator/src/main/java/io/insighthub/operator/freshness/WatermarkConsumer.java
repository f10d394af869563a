package io.insighthub.operator.freshness;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.insighthub.crds.worker.PurgeReport;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's one consumer of {@code insighthub.watermarks}: reads the compacted topic from the
 * beginning (no consumer group: the leader rebuilds its view at start), keeps the latest watermark
 * per table in a {@link WatermarkStore}, and tells a listener which Pipelines changed, at most once
 * per {@code flushInterval}, so status is patched at a bounded rate rather than per record.
 */
public final class WatermarkConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WatermarkConsumer.class);
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** A Pipeline (or CdcSource) whose tables got new watermarks. */
  public record PipelineRef(String namespace, String name) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final WatermarkStore store;
  private final QualityResultStore quality;
  private final PurgeReports purges;
  private final Consumer<Set<PipelineRef>> listener;
  private final Duration flushInterval;
  private final Thread thread;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;

  public WatermarkConsumer(
      String bootstrapServers,
      WatermarkStore store,
      Consumer<Set<PipelineRef>> listener,
      Duration flushInterval) {
    this(bootstrapServers, store, new QualityResultStore(), listener, flushInterval);
  }

  /** Also keeps the QualityRule results the records carry in {@code quality}. */
  public WatermarkConsumer(
      String bootstrapServers,
      WatermarkStore store,
      QualityResultStore quality,
      Consumer<Set<PipelineRef>> listener,
      Duration flushInterval) {
    this(bootstrapServers, store, quality, new PurgeReports(), listener, flushInterval);
  }

  /** Also keeps the pii-purge reports in {@code purges}. */
  public WatermarkConsumer(
      String bootstrapServers,
      WatermarkStore store,
      QualityResultStore quality,
      PurgeReports purges,
      Consumer<Set<PipelineRef>> listener,
      Duration flushInterval) {
    this.store = store;
    this.quality = quality;
    this.purges = purges;
    this.listener = listener;
    this.flushInterval = flushInterval;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "insighthub-operator-watermarks"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "watermark-consumer");
    this.thread.setDaemon(true);
  }

  public WatermarkConsumer start() {
    thread.start();
    return this;
  }

  private void run() {
    Set<PipelineRef> changed = new HashSet<>();
    long nextFlush = System.nanoTime() + flushInterval.toNanos();
    try {
      while (running) {
        try {
          if (consumer.assignment().isEmpty() && !assignAll()) {
            // The topic does not exist yet (it is created with the Kafka cluster); look again soon.
            stopped.await(2, TimeUnit.SECONDS);
            continue;
          }
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
            read(record, changed);
          }
        } catch (WakeupException e) {
          throw e;
        } catch (KafkaException e) {
          // Broker unreachable or metadata timed out: keep trying, the thread must not die.
          LOG.warn(
              "cannot read {} yet: {}; retrying",
              WorkerConfig.WATERMARK_TOPIC,
              e.getClass().getSimpleName());
          stopped.await(2, TimeUnit.SECONDS);
          continue;
        }
        if (System.nanoTime() >= nextFlush) {
          if (!changed.isEmpty()) {
            deliver(Set.copyOf(changed));
            changed.clear();
          }
          nextFlush = System.nanoTime() + flushInterval.toNanos();
        }
      }
    } catch (WakeupException e) {
      if (running) {
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void deliver(Set<PipelineRef> owners) {
    try {
      listener.accept(owners);
    } catch (RuntimeException e) {
      LOG.warn("watermark listener failed for {} resources", owners.size(), e);
    }
  }

  private boolean assignAll() {
    List<TopicPartition> partitions =
        consumer.partitionsFor(WorkerConfig.WATERMARK_TOPIC, Duration.ofSeconds(5)).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    if (partitions.isEmpty()) {
      return false;
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return true;
  }

  private void read(ConsumerRecord<String, byte[]> record, Set<PipelineRef> changed) {
    if (record.value() == null) {
      return;
    }
    try {
      if (PurgeReport.isKey(record.key())) {
        PurgeReport report = JSON.readValue(record.value(), PurgeReport.class);
        if (purges.offer(report)) {
          changed.add(new PipelineRef(report.namespace(), report.pipeline()));
        }
        return;
      }
      Watermark mark = JSON.readValue(record.value(), Watermark.class);
      if (mark.loadTime() == null) {
        return;
      }
      // Every record's results count (they are evaluations), even when a newer load is known.
      boolean results = quality.offer(mark);
      boolean loaded = !mark.isQualityOnly() && store.offer(mark);
      if (loaded || results) {
        changed.add(new PipelineRef(mark.namespace(), mark.pipeline()));
      }
    } catch (IOException e) {
      LOG.warn(
          "skipping unreadable watermark at {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getClass().getSimpleName());
    }
  }

  @Override
  public void close() {
    running = false;
    stopped.countDown();
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
