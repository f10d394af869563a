package io.insighthub.workers.validate;

import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.rows.Reason;
import io.insighthub.workers.warehouse.WatermarkPublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream-bound checks validate already enforces, reported per interval: from its own counters
 * it publishes one quality-only record ({@code quality:validate}) with, for each schemaDrift,
 * duplicates and lateArrival check, the records of the interval that drifted (DLQ'd for drift, a
 * wrong type or a missing required field, plus undeclared fields first seen), repeated an event id
 * within the dedup window, or arrived later than the allowed lateness. A check passes when that
 * count is 0; an interval without records is not reported. The counts are what this process routed:
 * under exactly-once a batch replayed after a crash is counted again.
 */
final class ValidateQuality implements AutoCloseable {
  /** How often validate reports its checks, a duration such as 60s. */
  static final String ENV_INTERVAL = "INSIGHTHUB_QUALITY_INTERVAL";

  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(ValidateQuality.class);
  private static final List<Reason> DRIFT =
      List.of(Reason.SCHEMA_DRIFT, Reason.WRONG_TYPE, Reason.MISSING_REQUIRED_FIELD);

  private final WorkerConfig config;
  private final ValidateMetrics metrics;
  private final List<QualityCheck> checks;
  private final WatermarkPublisher publisher;
  private final ScheduledExecutorService timer;
  private final String table;
  private double in;
  private double duplicates;
  private double late;
  private double drift;

  private ValidateQuality(
      WorkerConfig config,
      ValidateMetrics metrics,
      List<QualityCheck> checks,
      String table,
      Duration interval) {
    this.config = config;
    this.metrics = metrics;
    this.checks = checks;
    this.table = table;
    String topic =
        config.kafka().watermarks() != null
            ? config.kafka().watermarks()
            : WorkerConfig.WATERMARK_TOPIC;
    this.publisher = new WatermarkPublisher(config.kafka().bootstrapServers(), topic);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "validate-quality");
              thread.setDaemon(true);
              return thread;
            });
    timer.scheduleAtFixedRate(
        this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts reporting if any folded rule has a check validate evaluates; else null. */
  static ValidateQuality start(
      WorkerConfig config,
      ValidateSettings settings,
      ValidateMetrics metrics,
      Map<String, String> env) {
    List<QualityCheck> checks =
        config.quality() == null
            ? List.of()
            : config.quality().checks().stream()
                .filter(
                    c ->
                        c.kind() == QualityCheck.Kind.SCHEMA_DRIFT
                            || c.kind() == QualityCheck.Kind.DUPLICATES
                            || c.kind() == QualityCheck.Kind.LATE_ARRIVAL)
                .filter(c -> countable(c, config))
                .toList();
    if (checks.isEmpty()) {
      return null;
    }
    String text = env.get(ENV_INTERVAL);
    Duration interval =
        text == null || text.isBlank()
            ? DEFAULT_INTERVAL
            : io.insighthub.workers.streams.Durations.parse(text.strip(), ENV_INTERVAL);
    LOG.info("reporting {} quality checks every {}", checks.size(), interval);
    return new ValidateQuality(config, metrics, checks, settings.rawTopic(), interval);
  }

  /** Validate deduplicates on the event id only: a duplicates check on other keys is not its. */
  private static boolean countable(QualityCheck check, WorkerConfig config) {
    if (check.kind() != QualityCheck.Kind.DUPLICATES) {
      return true;
    }
    String id = config.events() == null ? null : config.events().eventIdField;
    boolean byId = id != null && check.duplicates().keyFields.equals(List.of(id));
    if (!byId) {
      LOG.warn(
          "QualityRule {}: duplicates on {} not evaluated: validate deduplicates on the event id {}",
          check.rule(),
          check.duplicates().keyFields.size() + " key fields",
          id);
    }
    return byId;
  }

  /** Publishes the interval's results; never throws (it runs on a timer). */
  void report() {
    try {
      Instant now = Instant.now();
      double inNow = metrics.in.count();
      double duplicatesNow = metrics.duplicates.count();
      double lateNow = metrics.late.count();
      double driftNow =
          metrics.driftFields.count() + DRIFT.stream().mapToDouble(metrics::dlqCount).sum();
      long rows = (long) (inNow - in);
      if (rows == 0) {
        // An idle interval has nothing to evaluate; counting it as a pass would inflate passCount.
        return;
      }
      List<QualityResult> results = new ArrayList<>();
      for (QualityCheck check : checks) {
        long count =
            (long)
                switch (check.kind()) {
                  case DUPLICATES -> duplicatesNow - duplicates;
                  case LATE_ARRIVAL -> lateNow - late;
                  default -> driftNow - drift;
                };
        results.add(result(check, rows, count, now));
      }
      in = inNow;
      duplicates = duplicatesNow;
      late = lateNow;
      drift = driftNow;
      publisher.publish(
          Watermark.qualityOnly(config.namespace(), config.pipeline(), "validate", now, results));
    } catch (RuntimeException e) {
      LOG.warn("quality results not published: {}", e.toString());
    }
  }

  private QualityResult result(QualityCheck check, long rows, long count, Instant now) {
    String what =
        switch (check.kind()) {
          case DUPLICATES -> "duplicate event ids";
          case LATE_ARRIVAL -> "events later than the allowed lateness";
          default -> "records drifting from the declared schema";
        };
    return new QualityResult(
        check.rule(),
        check.kind(),
        table,
        check.severity(),
        now,
        count == 0,
        rows,
        count,
        (double) count,
        0.0,
        "%d %s in %d records on %s".formatted(count, what, rows, table));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    publisher.close();
  }
}
