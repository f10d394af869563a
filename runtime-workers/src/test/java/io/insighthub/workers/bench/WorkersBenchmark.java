package io.insighthub.workers.bench;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.workers.Subcommand;
import io.insighthub.workers.aggregate.AggregateStage;
import io.insighthub.workers.streams.StreamsSettings;
import io.insighthub.workers.testing.BenchmarkEvents;
import io.insighthub.workers.testing.CpuUse;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.TestDirs;
import io.insighthub.workers.testing.Topics;
import io.insighthub.workers.validate.BenchmarkConfigs;
import io.insighthub.workers.validate.OutputHeaders;
import io.insighthub.workers.validate.ValidateStage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * Throughput of the validate stage on the real broker with ~1 KB JSON events, beside a plain
 * consume-produce copy of the same raw topic (same partitions, no processing) in the same run, and
 * of the aggregate stage over validate's output. Not a test: run with {@code ./build -pl
 * runtime-workers -am test-compile exec:java -Pbenchmark [-Dbench.events=N]}, see BENCHMARKS.md.
 */
public final class WorkersBenchmark {
  private static final int PARTITIONS = 2;

  public static void main(String[] args) throws Exception {
    int events = Integer.getInteger("bench.events", 500_000);
    Path dir = TestDirs.fresh("benchmark");
    try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"))) {
      WorkerConfig config =
          BenchmarkConfigs.validate(
              broker.bootstrapServers(),
              "bench",
              SchemaDriftCheck.Policy.EVOLVE,
              Files.writeString(dir.resolve("hmac-key"), "bench-key"));
      WorkerConfig.Kafka k = config.kafka();
      Topics.create(
          broker,
          PARTITIONS,
          k.raw(),
          k.validated(),
          k.dlq(),
          k.late(),
          "bench.copy",
          "bench.tx-copy",
          "bench.lineage-copy",
          "bench.eos-copy");
      Topics.create(
          broker,
          PARTITIONS,
          config.transformTopic("sessions"),
          config.transformTopic("account-usage"));

      long produceStart = System.nanoTime();
      int bytes = produce(broker, k.raw(), events);
      double produceSeconds = seconds(produceStart);
      System.out.printf(
          "produced %,d events of ~%d bytes in %.1f s (%,.0f events/s)%n",
          events, bytes, produceSeconds, events / produceSeconds);

      Phase copy = new Phase(broker, events);
      copy(broker, k.raw(), "bench.copy", copy);
      System.out.print(copy.report("plain copy", null));

      Phase txCopy = new Phase(broker, events);
      transactionalCopy(broker, k.raw(), "bench.tx-copy", "tx-copy-0", txCopy, false);
      System.out.print(txCopy.report("transactional copy", copy));

      Phase lineageCopy = new Phase(broker, events);
      transactionalCopy(broker, k.raw(), "bench.lineage-copy", "lineage-copy-0", lineageCopy, true);
      System.out.print(lineageCopy.report("transactional copy with lineage headers", copy));
      Map<String, String> env =
          Map.of(StreamsSettings.STATE_DIR_ENV, dir.resolve("state").toString());
      if (!Boolean.getBoolean("bench.skipEosCopy")) {
        Phase eosCopy = new Phase(broker, events);
        streamsCopy(BenchmarkConfigs.streamsCopy(config, env), k.raw(), "bench.eos-copy", eosCopy);
        System.out.print(eosCopy.report("streams exactly-once copy", copy));
      }
      Phase validate = new Phase(broker, events);
      stage(
          new ValidateStage(validateEnv(env)),
          config,
          "insighthub.validate.records.in",
          validate,
          running -> printDedup(running, dir.resolve("state")));
      System.out.print(validate.report("validate", copy));

      if (Boolean.getBoolean("bench.skipAggregate")) {
        return;
      }
      Phase aggregate = new Phase(broker, events);
      stage(
          new AggregateStage(env),
          BenchmarkConfigs.aggregate(config),
          "insighthub.aggregate.records.in",
          aggregate,
          running -> {});
      System.out.print(aggregate.report("aggregate", null));
    }
  }

  /**
   * One phase's progress: events/s and CPU per event over the whole phase (from its first record to
   * its last) and over its steady state, after the first {@code -Dbench.warmup} share of its events
   * (0.3 by default: the JIT's compilations mostly fall before).
   */
  private static final class Phase {
    private final long events;
    private final long warmup;
    private final CpuUse whole;
    private final CpuUse steady;
    private long started;
    private long steadyStarted;
    private long steadyFrom;
    private long firstCount;
    private long ended;

    Phase(KafkaBroker broker, long events) {
      this.events = events;
      this.warmup = (long) (events * Double.parseDouble(System.getProperty("bench.warmup", "0.3")));
      this.whole = new CpuUse(broker).start();
      this.steady = new CpuUse(broker);
    }

    /** Called as the phase goes, with the number of events processed so far. */
    void progress(long count) {
      if (started == 0 && count > 0) {
        started = System.nanoTime();
        firstCount = count;
      }
      if (steadyStarted == 0 && count >= warmup && count < events) {
        steadyStarted = System.nanoTime();
        steadyFrom = count;
        steady.start();
      }
    }

    /** Called once every event is processed, while the phase's threads still run. */
    void end() {
      ended = System.nanoTime();
      whole.mark();
      if (steadyStarted != 0) {
        steady.mark();
      }
    }

    double rate() {
      return (events - firstCount) / ((ended - started) / 1e9);
    }

    double steadyRate() {
      return steadyStarted == 0
          ? Double.NaN
          : (events - steadyFrom) / ((ended - steadyStarted) / 1e9);
    }

    /** Both spans' figures, with the shares of {@code base}'s rates when given. */
    String report(String name, Phase base) {
      String share =
          base == null ? "" : String.format(" (%.2f of the plain copy)", rate() / base.rate());
      String steadyShare =
          base == null
              ? ""
              : String.format(" (%.2f of the plain copy)", steadyRate() / base.steadyRate());
      return String.format(
          "%s: %,.0f events/s%s; %s%n  steady, after %,d events: %,.0f events/s%s; %s%n",
          name,
          rate(),
          share,
          whole.perEvent(events - firstCount),
          steadyFrom,
          steadyRate(),
          steadyShare,
          steadyStarted == 0 ? "-" : steady.perEvent(events - steadyFrom));
    }
  }

  /** {@link BenchmarkEvents} in time order, keyed by event id; returns one event's size. */
  private static int produce(KafkaBroker broker, String topic, int events) {
    int size = 0;
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(producerConfig(broker, null), bytes(), bytes())) {
      for (int i = 0; i < events; i++) {
        byte[] value = BenchmarkEvents.raw(i, false);
        size = value.length;
        producer.send(
            new ProducerRecord<>(
                topic, BenchmarkEvents.id(i).getBytes(StandardCharsets.UTF_8), value));
      }
      producer.flush();
    }
    return size;
  }

  /** Batches as large as validate's, lz4; transactional when {@code transactionalId} is set. */
  private static Map<String, Object> producerConfig(KafkaBroker broker, String transactionalId) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    if (transactionalId != null) {
      config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    }
    return config;
  }

  /**
   * From the earliest offset, 2,000 records per poll; read_committed and manual commits if asked.
   */
  private static Map<String, Object> consumerConfig(
      KafkaBroker broker, String group, boolean exactlyOnce) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    if (exactlyOnce) {
      config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }
    return config;
  }

  private static ByteArraySerializer bytes() {
    return new ByteArraySerializer();
  }

  /** A plain consumer → producer loop over the same partitions, no processing. */
  private static void copy(KafkaBroker broker, String from, String to, Phase phase) {
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                consumerConfig(broker, "bench-copy", false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(producerConfig(broker, null), bytes(), bytes())) {
      consumer.subscribe(Set.of(from));
      long copied = 0;
      while (copied < phase.events) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          producer.send(new ProducerRecord<>(to, r.partition(), r.key(), r.value()));
          copied++;
        }
        phase.progress(copied);
        consumer.commitAsync();
      }
      producer.flush();
      phase.end();
    }
  }

  /**
   * The plain copy made exactly-once by hand, the cheapest transactional consume-transform-produce
   * loop: one thread, every partition assigned (no group rebalance), one transactional producer,
   * the consumed offsets committed in the transaction every 100 ms (Kafka Streams' exactly-once
   * commit interval). The phase runs from the first record read to the last commit.
   *
   * <p>With {@code lineage}, each copy carries what validate's output contract adds to a record
   * without reading the event: the four lineage headers (source topic, partition and offset, and an
   * event time, here the record's timestamp) and the partition chosen by the key. What that copy
   * costs over the plain one is the part of validate's cost no faster check can remove.
   */
  private static void transactionalCopy(
      KafkaBroker broker, String from, String to, String txId, Phase phase, boolean lineage) {
    List<TopicPartition> partitions = new java.util.ArrayList<>();
    byte[][] partitionBytes = new byte[PARTITIONS][];
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new TopicPartition(from, p));
      partitionBytes[p] = ascii(Integer.toString(p));
    }
    byte[] topicBytes = from.getBytes(StandardCharsets.UTF_8);
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                consumerConfig(broker, "bench-" + txId, true),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(producerConfig(broker, "bench-" + txId), bytes(), bytes())) {
      producer.initTransactions();
      consumer.assign(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long copied = 0;
      long lastCommit = System.nanoTime();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      producer.beginTransaction();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          producer.send(
              lineage
                  ? new ProducerRecord<>(
                      to,
                      null,
                      r.timestamp(),
                      r.key(),
                      r.value(),
                      lineageHeaders(r, topicBytes, partitionBytes))
                  : new ProducerRecord<>(to, r.partition(), r.key(), r.value()));
          offsets.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          copied++;
        }
        phase.progress(copied);
        if (System.nanoTime() - lastCommit >= 100_000_000L) {
          producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
          producer.commitTransaction();
          offsets.clear();
          lastCommit = System.nanoTime();
          producer.beginTransaction();
        }
      }
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
      phase.end();
    }
  }

  /**
   * The headers validate writes on a validated record, built as it builds them (the topic's and
   * partitions' bytes made once).
   */
  private static RecordHeaders lineageHeaders(
      ConsumerRecord<byte[], byte[]> r, byte[] topicBytes, byte[][] partitionBytes) {
    return new RecordHeaders(
        new Header[] {
          new RecordHeader(OutputHeaders.SOURCE_TOPIC, topicBytes),
          new RecordHeader(OutputHeaders.SOURCE_PARTITION, partitionBytes[r.partition()]),
          new RecordHeader(OutputHeaders.SOURCE_OFFSET, ascii(Long.toString(r.offset()))),
          new RecordHeader(OutputHeaders.EVENT_TIME, ascii(Long.toString(r.timestamp())))
        });
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * The same copy as a Kafka Streams application with the validate stage's settings
   * (exactly_once_v2, threads, producer batches) and no processing: what Streams and transactions
   * cost before validate does any work.
   */
  private static void streamsCopy(Properties properties, String from, String to, Phase phase)
      throws Exception {
    AtomicLong copied = new AtomicLong();
    StreamsBuilder builder = new StreamsBuilder();
    builder.<byte[], byte[]>stream(from).peek((key, value) -> copied.incrementAndGet()).to(to);
    try (KafkaStreams streams = new KafkaStreams(builder.build(), properties)) {
      streams.start();
      while (copied.get() < phase.events) {
        if (streams.state() == KafkaStreams.State.ERROR) {
          throw new IllegalStateException("the streams copy failed");
        }
        phase.progress(copied.get());
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
      }
      phase.end();
      streams.close(Duration.ofSeconds(30));
    }
  }

  /**
   * {@code env} plus validate's dedup budgets from {@code -Dbench.maxDedupIds} and {@code
   * -Dbench.maxSpilledDedupIds} when set.
   */
  private static Map<String, String> validateEnv(Map<String, String> env) {
    Map<String, String> withBudgets = new java.util.HashMap<>(env);
    String maxIds = System.getProperty("bench.maxDedupIds", "");
    if (!maxIds.isBlank()) {
      withBudgets.put("INSIGHTHUB_VALIDATE_MAX_DEDUP_IDS", maxIds.strip());
    }
    String maxSpilled = System.getProperty("bench.maxSpilledDedupIds", "");
    if (!maxSpilled.isBlank()) {
      withBudgets.put("INSIGHTHUB_VALIDATE_MAX_SPILLED_DEDUP_IDS", maxSpilled.strip());
    }
    return withBudgets;
  }

  /** validate's dedup gauges (as of each thread's last commit) and its spill store's size. */
  private static void printDedup(RunningStage running, Path state) {
    long spillBytes = 0;
    Path spill = state.resolve("dedup-spill");
    if (Files.exists(spill)) {
      try (var files = Files.walk(spill)) {
        spillBytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
      } catch (java.io.IOException e) {
        spillBytes = -1;
      }
    }
    System.out.printf(
        "validate dedup: %,.0f ids in memory, %,.0f spilled, %,.0f forgotten; spill store %,d"
            + " bytes on disk%n",
        running.metrics().get("insighthub.validate.dedup.ids").gauge().value(),
        running.metrics().get("insighthub.validate.dedup.spilled.ids").gauge().value(),
        running.count("insighthub.validate.dedup.forgotten"),
        spillBytes);
  }

  /** Runs a stage until its input counter reaches the phase's events, reading its metrics. */
  private static void stage(
      Subcommand stage,
      WorkerConfig config,
      String counter,
      Phase phase,
      java.util.function.Consumer<RunningStage> atEnd)
      throws Exception {
    try (RunningStage running = RunningStage.start(stage, config)) {
      while (running.count(counter) < phase.events) {
        if (running.hasExited()) {
          throw new IllegalStateException(stage.name() + " exited early");
        }
        phase.progress((long) running.count(counter));
        // Polling a metric, not waiting for a condition in a test: a short park is enough.
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
      }
      phase.end();
      atEnd.accept(running);
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private WorkersBenchmark() {}
}
