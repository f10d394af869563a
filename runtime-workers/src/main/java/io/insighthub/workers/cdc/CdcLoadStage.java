package io.insighthub.workers.cdc;

import io.insighthub.crds.v1alpha1.CdcSourceSpec;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.Subcommand;
import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.warehouse.BatchResult;
import io.insighthub.workers.warehouse.LoaderPolling;
import io.insighthub.workers.warehouse.StoredOffsetAssignment;
import io.insighthub.workers.warehouse.TableId;
import io.insighthub.workers.warehouse.Warehouse;
import io.insighthub.workers.warehouse.WatermarkPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code cdc-load} stage: consumes a CdcSource's Debezium topics and applies them to the
 * warehouse effectively once. Offsets live in OPS.OFFSETS with the data; Kafka's committed offsets
 * are written afterwards only so consumer lag can be monitored. Runs as a single replica.
 */
public final class CdcLoadStage implements Subcommand {
  private static final Logger LOG = LoggerFactory.getLogger(CdcLoadStage.class);

  /** How often the topics of newly captured tables are looked for. */
  static final Duration TOPIC_REFRESH = Duration.ofSeconds(5);

  /** How often the topics are looked for while the loader has none yet. */
  static final Duration FIRST_TOPIC_REFRESH = Duration.ofMillis(500);

  @Override
  public String name() {
    return "cdc-load";
  }

  @Override
  public String summary() {
    return "apply Debezium PostgreSQL changes to the warehouse effectively once (LSN-guarded MERGE)";
  }

  @Override
  public List<String> checkConfig(WorkerConfig config) {
    List<String> problems = new ArrayList<>();
    if (config.cdc() == null) {
      problems.add("config.cdc is missing: cdc-load runs for a CdcSource");
    } else {
      if (config.cdc().topicPrefix() == null || config.cdc().topicPrefix().isBlank()) {
        problems.add("config.cdc.topicPrefix is missing: set the Debezium topic prefix");
      }
      if (config.cdc().tables() == null || config.cdc().tables().isEmpty()) {
        problems.add("config.cdc.tables is empty: list the captured tables as schema.table");
      }
    }
    if (config.sink() == null || config.sink().connectionDir() == null) {
      problems.add(
          "config.sink.connectionDir is missing: mount the warehouse connection Secret there");
    }
    return problems;
  }

  @Override
  public int run(WorkerContext context) {
    WorkerConfig config = context.config();
    String consumerId = "cdc-load." + config.namespace() + "." + config.pipeline();
    String schema = config.sink().schema() != null ? config.sink().schema() : "RAW";
    boolean soft = config.cdc().deleteMode() != CdcSourceSpec.DeleteMode.HARD;
    String watermarkTopic =
        config.kafka().watermarks() != null
            ? config.kafka().watermarks()
            : WorkerConfig.WATERMARK_TOPIC;
    CdcLoadMetrics metrics = new CdcLoadMetrics(context.metrics());
    try (Warehouse warehouse = Warehouse.open(Path.of(config.sink().connectionDir()));
        WatermarkPublisher publisher =
            new WatermarkPublisher(config.kafka().bootstrapServers(), watermarkTopic);
        KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(consumerConfig(config, consumerId));
        CdcHeartbeats heartbeats =
            new CdcHeartbeats(
                config.kafka().bootstrapServers(), config.cdc().topicPrefix(), TOPIC_REFRESH)) {
      CdcLoader loader = new CdcLoader(warehouse, consumerId, schema, config.cdc().tables(), soft);
      Watermarks watermarks = new Watermarks(publisher, config, warehouse, loader);
      CdcCompleteness completeness = new CdcCompleteness();
      Pattern topics =
          Pattern.compile(Pattern.quote(config.cdc().topicPrefix()) + "\\.[^.]+\\.[^.]+");
      StoredOffsetAssignment assignment =
          new StoredOffsetAssignment(consumer, warehouse, consumerId, topics);
      assignment.refresh();
      context.health().ready();
      // Two batches in flight at most (LoaderPolling). The consumer, the Kafka commit and the
      // watermarks stay on this thread.
      ExecutorService applier = LoaderPolling.applier("cdc-load-apply");
      LoaderPolling.InFlight<CdcLoader.LoadReport> inFlight = null;
      try {
        while (context.stopRequested().getCount() > 0) {
          // Until the first topic exists (a new CdcSource), look for it more often.
          assignment.refreshEvery(
              consumer.assignment().isEmpty() ? FIRST_TOPIC_REFRESH : TOPIC_REFRESH);
          CdcLoader.Decoder batch = loader.decoder();
          LoaderPolling.fill(
              consumer,
              context.stopRequested(),
              batch,
              LoaderPolling.CHANGES,
              inFlight == null ? null : inFlight.report());
          CdcLoader.DecodedBatch decoded = batch.records() == 0 ? null : batch.batch();
          if (decoded != null) {
            completeness.observe(batch.newestRecordMillis(), batch.connectorLagMillis());
          }
          // The positions now committed to the warehouse, when this iteration learnt them.
          Map<TopicPartition, OffsetAndMetadata> committed = null;
          if (inFlight != null) {
            // After an empty poll the current positions are all applied (and past any markers).
            committed = decoded == null ? LoaderPolling.positions(consumer) : inFlight.positions();
            finish(inFlight, committed, consumer, watermarks, metrics);
            inFlight = null;
          } else if (decoded == null) {
            // Nothing decoded and nothing in flight: every position is applied already.
            committed = LoaderPolling.positions(consumer);
          }
          if (decoded != null) {
            inFlight =
                new LoaderPolling.InFlight<>(
                    applier.submit(() -> timed(metrics, loader, decoded)),
                    LoaderPolling.positions(consumer));
          }
          heartbeats(heartbeats, completeness, assignment, consumer, committed, watermarks);
        }
        if (inFlight != null) {
          finish(inFlight, inFlight.positions(), consumer, watermarks, metrics);
        }
      } finally {
        applier.shutdownNow();
      }
      return 0;
    }
  }

  /**
   * Takes the heartbeats read since the last call; takes the table topics' end offsets for the
   * heartbeat to prove next (after looking for new table topics, whose changes count too); and,
   * when the positions {@code committed} to the warehouse reach them, publishes every table's
   * completeness.
   */
  private static void heartbeats(
      CdcHeartbeats heartbeats,
      CdcCompleteness completeness,
      StoredOffsetAssignment assignment,
      KafkaConsumer<String, String> consumer,
      Map<TopicPartition, OffsetAndMetadata> committed,
      Watermarks watermarks) {
    try {
      heartbeats.poll().forEach(completeness::heartbeat);
      if (completeness.needsTargets()) {
        assignment.refresh();
        completeness.target(consumer.endOffsets(consumer.assignment()));
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      // Proofs only report freshness: the next turn of the loop tries again.
      LOG.warn("heartbeats not read or end offsets not taken: {}", e.toString());
    }
    if (committed != null) {
      Map<TopicPartition, Long> next = HashMap.newHashMap(committed.size());
      committed.forEach((partition, offset) -> next.put(partition, offset.offset()));
      completeness.applied(next).ifPresent(watermarks::complete);
    }
  }

  private static CdcLoader.LoadReport timed(
      CdcLoadMetrics metrics, CdcLoader loader, CdcLoader.DecodedBatch decoded) {
    long started = System.nanoTime();
    CdcLoader.LoadReport report = loader.apply(decoded);
    metrics.batch.record(Duration.ofNanos(System.nanoTime() - started));
    return report;
  }

  /**
   * Waits for the batch in flight; then Kafka's commit of {@code applied} (monitoring only: the
   * loader seeks to the offsets stored in the warehouse) and the watermarks.
   */
  private static void finish(
      LoaderPolling.InFlight<CdcLoader.LoadReport> applying,
      Map<TopicPartition, OffsetAndMetadata> applied,
      KafkaConsumer<String, String> consumer,
      Watermarks watermarks,
      CdcLoadMetrics metrics) {
    CdcLoader.LoadReport report = LoaderPolling.await(applying.report());
    // The positions after the applied batch, not the current ones when they are already past the
    // next batch (decoded, not yet applied).
    consumer.commitAsync(applied, null);
    watermarks.loaded(report);
    record(metrics, report);
  }

  /**
   * The watermarks of one CdcSource's tables: one per table a batch changed, and one per table
   * (changed or not) each time a heartbeat proves them complete. Each carries the table's newest
   * source commit time loaded (from the warehouse until this loader loads a change of it) and the
   * newest proven completeness.
   */
  private static final class Watermarks {
    private final WatermarkPublisher publisher;
    private final WorkerConfig config;
    private final Warehouse warehouse;
    private final CdcLoader loader;
    private final Map<TableId, Optional<Instant>> newest = new HashMap<>();
    private Instant caughtUpTo;

    Watermarks(
        WatermarkPublisher publisher, WorkerConfig config, Warehouse warehouse, CdcLoader loader) {
      this.publisher = publisher;
      this.config = config;
      this.warehouse = warehouse;
      this.loader = loader;
    }

    void loaded(CdcLoader.LoadReport report) {
      Instant now = Instant.now();
      for (Map.Entry<TableId, BatchResult.TableResult> entry :
          report.result().tables().entrySet()) {
        CdcLoader.TableStats stats = report.tables().get(entry.getKey());
        Instant time = stats == null ? null : stats.maxSourceTime();
        if (time != null) {
          newest.merge(
              entry.getKey(),
              Optional.of(time),
              (old, next) -> old.isPresent() && old.get().isAfter(time) ? old : next);
        }
        Instant newestLoaded = newest.getOrDefault(entry.getKey(), Optional.empty()).orElse(null);
        publish(entry.getKey(), newestLoaded, now, entry.getValue().applied());
      }
    }

    void complete(Instant asOf) {
      if (caughtUpTo != null && !asOf.isAfter(caughtUpTo)) {
        return;
      }
      if (caughtUpTo == null) {
        LOG.info("every table complete as of {} (first heartbeat proof)", asOf);
      }
      caughtUpTo = asOf;
      Instant now = Instant.now();
      for (String source : config.cdc().tables()) {
        TableId table = loader.target(source);
        Instant time = newest.computeIfAbsent(table, warehouse::maxSourceTime).orElse(null);
        publish(table, time, now, 0);
      }
      LOG.debug("every table complete as of {}", asOf);
    }

    private void publish(TableId table, Instant maxEventTime, Instant now, long rows) {
      publisher.publish(
          new Watermark(
              config.namespace(),
              config.pipeline(),
              table.toString(),
              maxEventTime,
              now,
              rows,
              0,
              null,
              caughtUpTo));
    }
  }

  private static void record(CdcLoadMetrics metrics, CdcLoader.LoadReport report) {
    metrics.records.increment(report.records());
    metrics.quarantined.increment(report.quarantined());
    long applied = 0;
    long ignored = 0;
    for (BatchResult.TableResult table : report.result().tables().values()) {
      applied += table.applied();
      ignored += table.ignored();
    }
    metrics.applied.increment(applied);
    metrics.ignored.increment(ignored);
    LOG.info(
        "batch applied: {} records, {} rows changed, {} changes older than the warehouse ignored,"
            + " {} quarantined",
        report.records(),
        applied,
        ignored,
        report.quarantined());
  }

  private static Map<String, Object> consumerConfig(WorkerConfig config, String group) {
    Map<String, Object> properties = new HashMap<>();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    properties.put(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, LoaderPolling.MAX_PARTITION_FETCH_BYTES);
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return properties;
  }
}
