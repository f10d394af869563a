package io.insighthub.workers.streams;

import io.insighthub.workers.WorkerContext;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * Runs a stage's topology until the process is asked to stop or the topology fails: reports
 * readiness, exposes the Kafka clients' metrics (consumer lag among them) and turns a failure into
 * the process exit code.
 */
public final class StreamsRunner {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(StreamsRunner.class);
  private static final Duration CLOSE_LIMIT = Duration.ofSeconds(30);

  private StreamsRunner() {}

  /**
   * Runs {@code topology}; returns 0 when stopped on request, else {@code exitCode} of the failure
   * that stopped it (whose reason it should log).
   */
  public static int run(
      Topology topology,
      Properties properties,
      WorkerContext context,
      ToIntFunction<Throwable> exitCode)
      throws InterruptedException {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (KafkaStreams streams = new KafkaStreams(topology, properties);
        KafkaStreamsMetrics metrics = new KafkaStreamsMetrics(streams)) {
      metrics.bindTo(context.metrics());
      streams.setUncaughtExceptionHandler(
          e -> {
            failure.compareAndSet(null, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
          });
      streams.setStateListener(
          (now, before) -> {
            LOG.info("kafka streams {} -> {}", before, now);
            switch (now) {
              case RUNNING, REBALANCING -> context.health().ready();
              default -> context.health().notReady("kafka streams " + now);
            }
          });
      streams.start();
      while (!context.stopRequested().await(200, TimeUnit.MILLISECONDS)) {
        KafkaStreams.State state = streams.state();
        if (state == KafkaStreams.State.ERROR
            || state == KafkaStreams.State.PENDING_ERROR
            || state == KafkaStreams.State.NOT_RUNNING
            || state == KafkaStreams.State.PENDING_SHUTDOWN) {
          break;
        }
      }
      streams.close(CLOSE_LIMIT);
    }
    Throwable cause = failure.get();
    if (cause == null) {
      return 0;
    }
    context.health().notReady("stopped: " + cause.getClass().getSimpleName());
    return exitCode.applyAsInt(cause);
  }

  /** The first exception of {@code type} in the cause chain, which Kafka Streams wraps. */
  public static <T extends Throwable> java.util.Optional<T> find(Throwable e, Class<T> type) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return java.util.Optional.of(type.cast(c));
      }
    }
    return java.util.Optional.empty();
  }
}
