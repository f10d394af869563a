package io.insighthub.workers.archive;

import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.Subcommand;
import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.files.archive.S3Store;
import io.insighthub.workers.streams.StreamsSettings;
import io.insighthub.workers.warehouse.WatermarkPublisher;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code archive} stage: the raw topic into the Pipeline's S3 archive, every record in exactly
 * one object ({@link ArchiveLoop}). Kafka settings as for the other stages ({@code KAFKA_STREAMS_*}
 * overrides); the object store from the environment ({@link S3Store#open}).
 */
public final class ArchiveStage implements Subcommand {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveStage.class);

  private final Map<String, String> env;

  public ArchiveStage() {
    this(System.getenv());
  }

  /** With {@code env} standing in for the process environment. */
  public ArchiveStage(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "archive";
  }

  @Override
  public String summary() {
    return "raw topic → S3 archive by event hour, every record in exactly one object";
  }

  @Override
  public List<String> checkConfig(WorkerConfig config) {
    List<String> problems = new ArrayList<>();
    ArchiveSettings.from(config, problems);
    return problems;
  }

  @Override
  public int run(WorkerContext context) throws InterruptedException {
    List<String> problems = new ArrayList<>();
    ArchiveSettings settings = ArchiveSettings.from(context.config(), problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(String.join("; ", problems));
    }
    Properties properties = StreamsSettings.properties(context.config(), name(), 1 << 20, env);
    Map<String, Object> consumer = consumerConfig(properties);
    LOG.info(
        "archive {} → {} ({}, objects at {} or {} bytes)",
        settings.rawTopic(),
        settings.archive().location(),
        settings.archive().format().extension(),
        settings.maxObjectAge(),
        settings.archive().maxObjectBytes());
    try (S3Store store = S3Store.open(settings.archive().bucket(), env);
        WatermarkPublisher watermarks =
            new WatermarkPublisher(
                context.config().kafka().bootstrapServers(), settings.watermarkTopic());
        KafkaConsumer<byte[], byte[]> kafka = new KafkaConsumer<>(consumer);
        KafkaClientMetrics kafkaMetrics = new KafkaClientMetrics(kafka)) {
      kafkaMetrics.bindTo(context.metrics());
      if (!awaitTopic(kafka, settings.rawTopic(), context)) {
        return 0;
      }
      ArchiveLoop loop =
          new ArchiveLoop(
              settings,
              kafka,
              store,
              new ArchiveMetrics(context.metrics()),
              watermarks,
              Clock.systemUTC());
      loop.run(() -> context.stopRequested().getCount() == 0, context.health()::ready);
    }
    return 0;
  }

  private static Map<String, Object> consumerConfig(Properties properties) {
    Map<String, Object> config =
        StreamsSettings.clientConfig(
            properties, ConsumerConfig.configNames(), StreamsConfig.CONSUMER_PREFIX);
    config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    config.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG));
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return config;
  }

  /** Waits until the raw topic exists; false when asked to stop first. */
  private static boolean awaitTopic(
      KafkaConsumer<byte[], byte[]> kafka, String topic, WorkerContext context)
      throws InterruptedException {
    boolean logged = false;
    while (context.stopRequested().getCount() > 0) {
      try {
        if (!kafka.partitionsFor(topic, Duration.ofSeconds(5)).isEmpty()) {
          return true;
        }
      } catch (KafkaException e) {
        // not there yet, or the broker is unreachable: look again
      }
      if (!logged) {
        LOG.info("waiting for the raw topic {} to exist", topic);
        logged = true;
      }
      context.stopRequested().await(2, TimeUnit.SECONDS);
    }
    return false;
  }
}
