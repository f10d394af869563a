package io.insighthub.workers.aggregate;

import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.Subcommand;
import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.streams.OutputCodec;
import io.insighthub.workers.streams.StreamsRunner;
import io.insighthub.workers.streams.StreamsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code aggregate} stage: validated → sessions and account usage, with Kafka Streams {@code
 * exactly_once_v2} so a crash or rebalance never counts an event twice in a session or window.
 */
public final class AggregateStage implements Subcommand {
  private static final Logger LOG = LoggerFactory.getLogger(AggregateStage.class);
  private final Map<String, String> env;

  public AggregateStage() {
    this(System.getenv());
  }

  /** With {@code env} standing in for the process environment (state dir, client overrides). */
  public AggregateStage(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "aggregate";
  }

  @Override
  public String summary() {
    return "validated → sessions and account usage per hour and day (exactly once; late events"
        + " re-emit corrected rows)";
  }

  @Override
  public List<String> checkConfig(WorkerConfig config) {
    List<String> problems = new ArrayList<>();
    AggregateSettings.from(config, problems);
    return problems;
  }

  @Override
  public int run(WorkerContext context) throws InterruptedException {
    List<String> problems = new ArrayList<>();
    AggregateSettings settings = AggregateSettings.from(context.config(), problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(String.join("; ", problems));
    }
    Properties properties = StreamsSettings.properties(context.config(), name(), 1 << 20, env);
    throughputDefaults(properties, Runtime.getRuntime().availableProcessors());
    OutputCodec.apply(properties, settings.sessionsTopic(), env);
    LOG.info(
        "aggregate {} → {} and {}, inactivity gap {}, grace {}",
        settings.validatedTopic(),
        settings.sessionsTopic(),
        settings.usageTopic(),
        settings.inactivityGap(),
        settings.grace());
    // Rows are emitted once per commit interval (100 ms under exactly-once unless overridden).
    Duration emitInterval =
        Duration.ofMillis(
            Long.parseLong(
                properties
                    .getOrDefault(
                        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                        StreamsSettings.DEFAULT_COMMIT_INTERVAL_MS)
                    .toString()));
    return StreamsRunner.run(
        AggregateTopology.build(
            settings, new AggregateMetrics(context.metrics()), ConfigLoader.JSON, emitInterval),
        properties,
        context,
        failure -> {
          LOG.error("aggregate failed: {}", failure.toString(), failure);
          return 1;
        });
  }

  /**
   * The per-event work (parse, repartition, sessions and usage, emission) is CPU-bound on the
   * stream thread: one thread per core (tasks are per partition of the input and of the repartition
   * topic), and larger producer batches. A {@code KAFKA_STREAMS_*} override wins.
   */
  static void throughputDefaults(Properties properties, int cores) {
    properties.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Math.max(1, cores));
    properties.putIfAbsent(
        StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 128 * 1024);
  }
}
