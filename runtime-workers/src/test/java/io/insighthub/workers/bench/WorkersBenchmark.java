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

      CpuUse cpu = new CpuUse(broker).start();
      double copy = copy(broker, k.raw(), "bench.copy", events);
      System.out.printf("plain copy:  %,.0f events/s; %s%n", copy, cpu.perEvent(events));

      cpu.start();
      double txCopy = transactionalCopy(broker, k.raw(), "bench.tx-copy", "tx-copy-0");
      System.out.printf(
          "transactional copy: %,.0f events/s (%.2f of the plain copy); %s%n",
          txCopy, txCopy / copy, cpu.perEvent(events));
      Map<String, String> env =
          Map.of(StreamsSettings.STATE_DIR_ENV, dir.resolve("state").toString());
      if (!Boolean.getBoolean("bench.skipEosCopy")) {
        cpu.start();
        double eosCopy =
            streamsCopy(
                BenchmarkConfigs.streamsCopy(config, env), k.raw(), "bench.eos-copy", events);
        System.out.printf(
            "streams exactly-once copy: %,.0f events/s (%.2f of the plain copy); %s%n",
            eosCopy, eosCopy / copy, cpu.perEvent(events));
      }
      cpu.start();
      double validate =
          stage(
              new ValidateStage(validateEnv(env)),
              config,
              "insighthub.validate.records.in",
              events,
              running -> printDedup(running, dir.resolve("state")));
      System.out.printf(
          "validate:    %,.0f events/s (%.2f of the plain copy); %s%n",
          validate, validate / copy, cpu.perEvent(events));

      if (Boolean.getBoolean("bench.skipAggregate")) {
        return;
      }
      cpu.start();
      double aggregate =
          stage(
              new AggregateStage(env),
              BenchmarkConfigs.aggregate(config),
              "insighthub.aggregate.records.in",
              events);
      System.out.printf("aggregate:   %,.0f events/s; %s%n", aggregate, cpu.perEvent(events));
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
  private static double copy(KafkaBroker broker, String from, String to, int events) {
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                consumerConfig(broker, "bench-copy", false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(producerConfig(broker, null), bytes(), bytes())) {
      consumer.subscribe(Set.of(from));
      int copied = 0;
      long started = 0;
      while (copied < events) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        if (started == 0 && !batch.isEmpty()) {
          started = System.nanoTime();
        }
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          producer.send(new ProducerRecord<>(to, r.partition(), r.key(), r.value()));
          copied++;
        }
        consumer.commitAsync();
      }
      producer.flush();
      return events / seconds(started);
    }
  }

  /**
   * The plain copy made exactly-once by hand, the cheapest transactional consume-transform-produce
   * loop: one thread, every partition assigned (no group rebalance), one transactional producer,
   * the consumed offsets committed in the transaction every 100 ms (Kafka Streams' exactly-once
   * commit interval). Events/s from the first record read to the last commit.
   */
  private static double transactionalCopy(KafkaBroker broker, String from, String to, String id) {
    List<TopicPartition> partitions = new java.util.ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      partitions.add(new TopicPartition(from, p));
    }
    java.util.concurrent.atomic.AtomicLong started = new java.util.concurrent.atomic.AtomicLong();
    int copied = copyPartitions(broker, partitions, to, "bench-" + id, started);
    return copied / seconds(started.get());
  }

  private static int copyPartitions(
      KafkaBroker broker,
      List<TopicPartition> partitions,
      String to,
      String txId,
      java.util.concurrent.atomic.AtomicLong started) {
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                consumerConfig(broker, txId, true),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(producerConfig(broker, txId), bytes(), bytes())) {
      producer.initTransactions();
      consumer.assign(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      int copied = 0;
      long lastCommit = System.nanoTime();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      producer.beginTransaction();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        if (!batch.isEmpty()) {
          started.compareAndSet(0, System.nanoTime());
        }
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          producer.send(new ProducerRecord<>(to, r.partition(), r.key(), r.value()));
          offsets.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
          copied++;
        }
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
      return copied;
    }
  }

  /**
   * The same copy as a Kafka Streams application with the validate stage's settings
   * (exactly_once_v2, threads, producer batches) and no processing: what Streams and transactions
   * cost before validate does any work.
   */
  private static double streamsCopy(Properties properties, String from, String to, int events)
      throws Exception {
    AtomicLong copied = new AtomicLong();
    StreamsBuilder builder = new StreamsBuilder();
    builder.<byte[], byte[]>stream(from).peek((key, value) -> copied.incrementAndGet()).to(to);
    try (KafkaStreams streams = new KafkaStreams(builder.build(), properties)) {
      streams.start();
      long first = 0;
      long firstCount = 0;
      while (copied.get() < events) {
        if (streams.state() == KafkaStreams.State.ERROR) {
          throw new IllegalStateException("the streams copy failed");
        }
        if (first == 0 && copied.get() > 0) {
          first = System.nanoTime();
          firstCount = copied.get();
        }
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
      }
      double rate = (events - firstCount) / seconds(first);
      streams.close(Duration.ofSeconds(30));
      return rate;
    }
  }

  /** Events/s of a stage from its first to its last input record, read from its metrics. */
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

  private static double stage(Subcommand stage, WorkerConfig config, String counter, int events)
      throws Exception {
    return stage(stage, config, counter, events, running -> {});
  }

  private static double stage(
      Subcommand stage,
      WorkerConfig config,
      String counter,
      int events,
      java.util.function.Consumer<RunningStage> atEnd)
      throws Exception {
    try (RunningStage running = RunningStage.start(stage, config)) {
      long first = 0;
      double firstCount = 0;
      while (running.count(counter) < events) {
        if (running.hasExited()) {
          throw new IllegalStateException(stage.name() + " exited early");
        }
        if (first == 0 && running.count(counter) > 0) {
          first = System.nanoTime();
          firstCount = running.count(counter);
        }
        // Polling a metric, not waiting for a condition in a test: a short park is enough.
        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
      }
      double rate = (events - firstCount) / seconds(first);
      atEnd.accept(running);
      return rate;
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private WorkersBenchmark() {}
}
