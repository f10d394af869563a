package io.insighthub.workers.validate;

import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.Subcommand;
import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.streams.StreamsRunner;
import io.insighthub.workers.streams.StreamsSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code validate} stage: raw → validated, DLQ, late. Kafka Streams with {@code
 * exactly_once_v2} rather than a hand-written transactional loop, because the dedup ids and the
 * newest event time must be committed atomically with the outputs and the consumed offsets; its
 * changelogged stores, task migration and zombie fencing give that without bespoke recovery code.
 */
public final class ValidateStage implements Subcommand {
  /** Exit code when the drift policy {@code halt} stopped the stage. */
  public static final int EXIT_HALTED = 3;

  static final int EXIT_FAILED = 1;

  private static final Logger LOG = LoggerFactory.getLogger(ValidateStage.class);
  private final Map<String, String> env;

  public ValidateStage() {
    this(System.getenv());
  }

  /** With {@code env} standing in for the process environment (state dir, client overrides). */
  public ValidateStage(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "validate";
  }

  @Override
  public String summary() {
    return "raw → validated topic: schema checks, dedup, PII minimization; rejects to the DLQ,"
        + " late events to the late topic (exactly once)";
  }

  @Override
  public List<String> checkConfig(WorkerConfig config) {
    List<String> problems = new ArrayList<>();
    ValidateSettings.from(config, problems);
    return problems;
  }

  @Override
  public int run(WorkerContext context) throws InterruptedException {
    List<String> problems = new ArrayList<>();
    ValidateSettings settings = ValidateSettings.from(context.config(), problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(String.join("; ", problems));
    }
    ValidateMetrics metrics = new ValidateMetrics(context.metrics());
    Properties properties =
        StreamsSettings.properties(context.config(), name(), settings.maxEventBytes(), env);
    throughputDefaults(properties, Runtime.getRuntime().availableProcessors());
    LOG.info(
        "validate {} → {} (dlq {}, late {}), drift policy {}, lateness {}, dedup window {}",
        settings.rawTopic(),
        settings.validatedTopic(),
        settings.dlqTopic(),
        settings.lateTopic(),
        settings.driftPolicy(),
        settings.allowedLateness(),
        settings.dedupWindow());
    try (ValidateQuality quality =
        ValidateQuality.start(context.config(), settings, metrics, env)) {
      return StreamsRunner.run(
          ValidateTopology.build(settings, metrics), properties, context, ValidateStage::exitCode);
    }
  }

  /**
   * Validate's per-record work (parse, check, dedup probe, minimize, re-serialize) is CPU-bound on
   * the stream thread: one thread per core, up to one per input partition's task, and larger
   * producer batches for ~1 KB events. A {@code KAFKA_STREAMS_*} override wins.
   */
  static void throughputDefaults(Properties properties, int cores) {
    properties.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Math.max(1, cores));
    properties.putIfAbsent(
        StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 128 * 1024);
  }

  private static int exitCode(Throwable failure) {
    return StreamsRunner.find(failure, SchemaDriftHaltException.class)
        .map(
            halt -> {
              LOG.error("validate halted: {}", halt.getMessage());
              return EXIT_HALTED;
            })
        .orElseGet(
            () -> {
              LOG.error("validate failed: {}", failure.toString(), failure);
              return EXIT_FAILED;
            });
  }
}
