package io.insighthub.workers.validate;

import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.Subcommand;
import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.streams.OutputCodec;
import io.insighthub.workers.streams.StreamsRunner;
import io.insighthub.workers.streams.StreamsSettings;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code validate} stage: raw → validated, DLQ, late, exactly once. A hand-written
 * transactional consume-transform-produce loop ({@link ValidateLoop}), one per thread, rather than
 * Kafka Streams: validate needs one changed-state record per transaction (the ids it accepted,
 * {@link DedupLog}) where a Streams store writes one changelog record per event, and with the
 * store, its cache and the task machinery that cost it most of its throughput (BENCHMARKS.md).
 * Kafka settings come from the same properties as the Streams stages ({@code KAFKA_STREAMS_*}
 * overrides, {@code commit.interval.ms}, {@code num.stream.threads} for the thread count).
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
    String applicationId = properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
    String logTopic = DedupLog.topic(applicationId);
    LOG.info(
        "validate {} → {} (dlq {}, late {}), drift policy {}, lateness {}, dedup window {},"
            + " dedup log {}",
        settings.rawTopic(),
        settings.validatedTopic(),
        settings.dlqTopic(),
        settings.lateTopic(),
        settings.driftPolicy(),
        settings.allowedLateness(),
        settings.dedupWindow(),
        logTopic);
    int partitions;
    try (Admin admin = Admin.create(ValidateClients.admin(properties))) {
      partitions = ValidateClients.awaitPartitions(admin, settings.rawTopic(), context);
      if (partitions < 0) {
        return 0; // asked to stop while waiting
      }
      OutputCodec.apply(properties, settings.validatedTopic(), env, admin);
      DedupLog.ensureTopic(
          admin,
          logTopic,
          partitions,
          DedupLog.lookback(settings.dedupWindow(), settings.allowedLateness()));
    }
    int threads =
        Math.max(
            1,
            Math.min(
                partitions,
                Integer.parseInt(
                    properties.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG).toString())));
    String instance = ValidateClients.instanceId(properties, name());
    Duration commitInterval =
        Duration.ofMillis(
            Long.parseLong(properties.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG).toString()));
    long maxIds = maxDedupIds(env, Runtime.getRuntime().maxMemory()) / threads;
    long maxSpilled = maxSpilledDedupIds(env);
    long maxSpilledPerThread = maxSpilled == Long.MAX_VALUE ? maxSpilled : maxSpilled / threads;
    java.nio.file.Path spillDir =
        java.nio.file.Path.of(properties.getProperty(StreamsConfig.STATE_DIR_CONFIG))
            .resolve(DedupSpill.DIR);
    // A cache of the dedup log: what an earlier process left is never read (each thread's store
    // is emptied again when opened; a store that cannot be is not used).
    try {
      DedupSpill.clear(spillDir);
    } catch (java.io.UncheckedIOException e) {
      LOG.warn("cannot clear the dedup spill directory {}: {}", spillDir, e.getCause().toString());
    }
    DriftReporter drift = new DriftReporter(metrics);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(threads);
    List<Thread> running = new ArrayList<>();
    try (org.rocksdb.Cache spillCache = maxSpilledPerThread > 0 ? DedupSpill.cache() : null;
        ValidateQuality quality = ValidateQuality.start(context.config(), settings, metrics, env)) {
      for (int t = 0; t < threads; t++) {
        String transactionalId = applicationId + "-" + instance + "-" + t;
        ValidateLoop loop =
            new ValidateLoop(
                settings,
                new Validator(settings, drift),
                metrics,
                new KafkaConsumer<>(ValidateClients.consumer(properties, applicationId + "-" + t)),
                new KafkaProducer<>(ValidateClients.producer(properties, transactionalId)),
                new KafkaConsumer<>(ValidateClients.restorer(properties)),
                logTopic,
                commitInterval,
                maxIds,
                maxSpilledPerThread,
                spillCache == null
                    ? null
                    : openSpill(spillDir.resolve(Integer.toString(t)), spillCache));
        Thread thread =
            Thread.ofPlatform()
                .name("validate-" + t)
                .start(
                    () -> {
                      try (loop;
                          KafkaClientMetrics consumerMetrics = loop.consumerMetrics();
                          KafkaClientMetrics producerMetrics = loop.producerMetrics()) {
                        consumerMetrics.bindTo(context.metrics());
                        producerMetrics.bindTo(context.metrics());
                        loop.run(stop::get, started::countDown);
                      } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        stop.set(true);
                      }
                    });
        running.add(thread);
      }
      while (!stop.get() && !context.stopRequested().await(200, TimeUnit.MILLISECONDS)) {
        if (started.getCount() == 0) {
          context.health().ready();
        }
      }
      stop.set(true);
      for (Thread thread : running) {
        thread.join();
      }
    }
    Throwable cause = failure.get();
    if (cause == null) {
      return 0;
    }
    context.health().notReady("stopped: " + cause.getClass().getSimpleName());
    return exitCode(cause);
  }

  /**
   * Validate's per-record work (parse, check, dedup probe, minimize, re-serialize) is CPU-bound on
   * its threads: one thread per core, up to one per raw partition, and larger producer batches for
   * ~1 KB events (256 KiB: fewer batches for the producer and the broker to handle, ~6% less CPU
   * per event than 128 KiB in the workers benchmark). A {@code KAFKA_STREAMS_*} override wins.
   */
  static void throughputDefaults(Properties properties, int cores) {
    properties.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Math.max(1, cores));
    properties.putIfAbsent(
        StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
  }

  /** Environment variable: the most dedup ids the process holds in memory. */
  static final String MAX_DEDUP_IDS_ENV = "INSIGHTHUB_VALIDATE_MAX_DEDUP_IDS";

  /**
   * The dedup memory budget: {@link #MAX_DEDUP_IDS_ENV}, else half the heap at the worst 72 bytes
   * per id (an 8 GiB heap holds ~60 million ids).
   */
  static long maxDedupIds(Map<String, String> env, long maxHeapBytes) {
    return ids(env, MAX_DEDUP_IDS_ENV, 1, "a positive number of ids")
        .orElse(Math.max(100_000, maxHeapBytes / 2 / 72));
  }

  /** Environment variable: the most dedup ids the process spills to its local disk store. */
  static final String MAX_SPILLED_DEDUP_IDS_ENV = WorkerConfig.MAX_SPILLED_DEDUP_IDS_ENV;

  /**
   * The dedup disk budget: {@link #MAX_SPILLED_DEDUP_IDS_ENV} ({@code 0}: no store, ids over the
   * memory budget are forgotten), else no bound but the volume's size.
   */
  static long maxSpilledDedupIds(Map<String, String> env) {
    return ids(env, MAX_SPILLED_DEDUP_IDS_ENV, 0, "a number of ids, 0 or more (0: no spill)")
        .orElse(Long.MAX_VALUE);
  }

  /**
   * A number of ids from {@code variable}, at least {@code min}; empty when unset or blank. Any
   * other value fails the start with a message saying it must be {@code expected}.
   */
  private static java.util.OptionalLong ids(
      Map<String, String> env, String variable, long min, String expected) {
    String set = env.get(variable);
    if (set == null || set.isBlank()) {
      return java.util.OptionalLong.empty();
    }
    try {
      long ids = Long.parseLong(set.strip());
      if (ids >= min) {
        return java.util.OptionalLong.of(ids);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalStateException(variable + " must be " + expected + ", got '" + set + "'");
  }

  /** A thread's spill store, or null when it cannot be opened (ids are then forgotten). */
  private static DedupSpill openSpill(java.nio.file.Path dir, org.rocksdb.Cache cache) {
    try {
      return DedupSpill.open(dir, cache);
    } catch (org.rocksdb.RocksDBException | java.io.UncheckedIOException e) {
      LOG.warn(
          "cannot open the dedup spill store in {} ({}): ids over the memory budget will be"
              + " forgotten",
          dir,
          e.toString());
      return null;
    }
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
