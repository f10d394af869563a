package io.insighthub.workers.load;

import io.insighthub.crds.v1alpha1.SinkSpec;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.Subcommand;
import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.quality.LoadQuality;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code load} stage: validated events into {@code VALIDATED.<table>} (merged on the event id)
 * and the sessionize/aggregate outputs, topic {@code <ns>.<pipeline>.<transform>}, into {@code
 * CURATED.<TRANSFORM>} (merged on the record key), with offsets stored in the same warehouse
 * transaction and a watermark per table after each batch.
 */
public final class LoadStage implements Subcommand {
  private static final Logger LOG = LoggerFactory.getLogger(LoadStage.class);

  @Override
  public String name() {
    return "load";
  }

  @Override
  public String summary() {
    return "load validated events, sessions and aggregates into the warehouse without duplicates";
  }

  @Override
  public List<String> checkConfig(WorkerConfig config) {
    List<String> problems = new ArrayList<>();
    if (config.kafka() != null && (config.kafka().validated() == null)) {
      problems.add("config.kafka.validated is missing: load reads the validated topic");
    }
    if (config.sink() == null || config.sink().connectionDir() == null) {
      problems.add(
          "config.sink.connectionDir is missing: mount the warehouse connection Secret there");
    }
    return problems;
  }

  /** The topics this Pipeline's loader reads and where each lands. */
  public static List<EventLoader.Target> targets(WorkerConfig config) {
    List<EventLoader.Target> targets = new ArrayList<>();
    String table =
        config.sink().table() != null
            ? config.sink().table()
            : config.pipeline().replace('-', '_').toUpperCase(Locale.ROOT);
    String idField = config.events() != null ? config.events().eventIdField : "event_id";
    String timeField = config.events() != null ? config.events().eventTimeField : null;
    targets.add(
        new EventLoader.Target(
            config.kafka().validated(),
            new TableId("VALIDATED", table),
            List.of(idField),
            timeField,
            config.sink().mode() == SinkSpec.Mode.APPEND));
    for (TransformSpec transform :
        config.transforms() == null ? List.<TransformSpec>of() : config.transforms()) {
      if (transform.type == TransformSpec.Type.SESSIONIZE
          || transform.type == TransformSpec.Type.AGGREGATE) {
        // Keyed by a JSON object naming the row's identity; a tombstone deletes the row.
        targets.add(
            new EventLoader.Target(
                config.transformTopic(transform.name),
                new TableId("CURATED", transform.name.replace('-', '_')),
                List.of(),
                null));
      }
    }
    return targets;
  }

  @Override
  public int run(WorkerContext context) {
    WorkerConfig config = context.config();
    String consumerId = "load." + config.namespace() + "." + config.pipeline();
    List<EventLoader.Target> targets = targets(config);
    Pattern topics =
        Pattern.compile(
            targets.stream().map(t -> Pattern.quote(t.topic())).collect(Collectors.joining("|")));
    String watermarkTopic =
        config.kafka().watermarks() != null
            ? config.kafka().watermarks()
            : WorkerConfig.WATERMARK_TOPIC;
    try (Warehouse warehouse = Warehouse.open(Path.of(config.sink().connectionDir()));
        WatermarkPublisher watermarks =
            new WatermarkPublisher(config.kafka().bootstrapServers(), watermarkTopic);
        KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(consumerConfig(config, consumerId))) {
      EventLoader loader = new EventLoader(warehouse, consumerId, targets);
      LoadMetrics metrics = new LoadMetrics(context.metrics());
      LoadQuality quality = quality(config, targets, warehouse, Instant.now());
      StoredOffsetAssignment assignment =
          new StoredOffsetAssignment(consumer, warehouse, consumerId, topics);
      assignment.refresh();
      context.health().ready();
      // Two batches in flight at most (LoaderPolling): this thread polls and parses the next
      // batch while the applier thread writes the current one. The consumer, the Kafka commit,
      // the quality checks and the watermarks stay on this thread.
      ExecutorService applier = LoaderPolling.applier("load-apply");
      LoaderPolling.InFlight<EventLoader.Report> inFlight = null;
      try {
        while (context.stopRequested().getCount() > 0) {
          assignment.refreshEvery(Duration.ofSeconds(5));
          EventLoader.Decoder batch = loader.decoder();
          LoaderPolling.fill(
              consumer,
              context.stopRequested(),
              batch,
              LoaderPolling.EVENTS,
              inFlight == null ? null : inFlight.report());
          // Volume intervals close on time, with or without a batch (no rows is what min catches).
          List<QualityResult> closed = quality.advance(Instant.now());
          if (!closed.isEmpty()) {
            watermarks.publish(
                Watermark.qualityOnly(
                    config.namespace(), config.pipeline(), name(), Instant.now(), closed));
          }
          if (inFlight != null) {
            finish(inFlight, consumer, config, quality, watermarks, metrics);
            inFlight = null;
          }
          if (batch.records() > 0) {
            EventLoader.Decoded decoded = batch.batch();
            inFlight =
                new LoaderPolling.InFlight<>(
                    applier.submit(() -> timed(metrics, loader, decoded)),
                    LoaderPolling.positions(consumer));
          }
        }
        if (inFlight != null) {
          finish(inFlight, consumer, config, quality, watermarks, metrics);
        }
      } finally {
        applier.shutdownNow();
      }
      return 0;
    }
  }

  private static EventLoader.Report timed(
      LoadMetrics metrics, EventLoader loader, EventLoader.Decoded decoded) {
    long started = System.nanoTime();
    EventLoader.Report report = loader.apply(decoded);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    metrics.batch.record(took);
    LOG.info(
        "batch loaded: {} records, {} quarantined, in {} ms",
        report.records(),
        report.quarantined(),
        took.toMillis());
    return report;
  }

  /**
   * Waits for the batch in flight; then Kafka's commit of its positions (monitoring only: the
   * loader seeks to the offsets stored in the warehouse), the metrics, the quality checks and a
   * watermark per table.
   */
  private void finish(
      LoaderPolling.InFlight<EventLoader.Report> applying,
      KafkaConsumer<String, String> consumer,
      WorkerConfig config,
      LoadQuality quality,
      WatermarkPublisher watermarks,
      LoadMetrics metrics) {
    EventLoader.Report report = LoaderPolling.await(applying.report());
    consumer.commitAsync(applying.positions(), null);
    metrics.records.increment(report.records());
    metrics.quarantined.increment(report.quarantined());
    report.result().tables().values().forEach(t -> metrics.rows.increment(t.applied()));
    Instant now = Instant.now();
    Map<TableId, List<QualityResult>> checked =
        quality.loaded(report.rowSets(), report.result().tables(), now);
    for (Map.Entry<TableId, BatchResult.TableResult> table : report.result().tables().entrySet()) {
      List<QualityResult> results = checked.get(table.getKey());
      watermarks.publish(
          new Watermark(
              config.namespace(),
              config.pipeline(),
              table.getKey().toString(),
              report.maxEventTimes().get(table.getKey()),
              now,
              table.getValue().applied(),
              results == null ? 0 : results.stream().filter(r -> !r.passed()).count(),
              results));
    }
  }

  /** The nullSpike and volume checks of the folded QualityRules that bind to these tables. */
  static LoadQuality quality(
      WorkerConfig config, List<EventLoader.Target> targets, Warehouse warehouse, Instant now) {
    List<QualityCheck> checks = config.quality() == null ? List.of() : config.quality().checks();
    List<TableId> tables = targets.stream().map(EventLoader.Target::table).toList();
    LoadQuality quality =
        new LoadQuality(checks, tables, tables.getFirst(), now, warehouse::nullCount);
    if (!quality.isEmpty()) {
      LOG.info("evaluating quality checks on {}", tables);
    }
    return quality;
  }

  private static Map<String, Object> consumerConfig(WorkerConfig config, String group) {
    Map<String, Object> properties = new HashMap<>();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Its topics are the Pipeline's KafkaTopics: not created again while a deleted Pipeline's
    // loader stops.
    properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    properties.put(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, LoaderPolling.MAX_PARTITION_FETCH_BYTES);
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return properties;
  }
}
