package io.insighthub.workers.streams;

import io.insighthub.crds.worker.WorkerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams properties of a stage: exactly-once v2, byte-array serdes, the application id
 * derived from the pipeline, the state directory from {@code INSIGHTHUB_STATE_DIR}, and any
 * deployment-specific client setting from {@code KAFKA_STREAMS_*} environment variables (e.g.
 * {@code KAFKA_STREAMS_SECURITY_PROTOCOL=SSL} sets {@code security.protocol}).
 */
public final class StreamsSettings {
  public static final String STATE_DIR_ENV = WorkerConfig.STATE_DIR_ENV;
  public static final String OVERRIDE_PREFIX = "KAFKA_STREAMS_";

  /** How often a stage commits its transaction (outputs, state and offsets together). */
  public static final int DEFAULT_COMMIT_INTERVAL_MS = 500;

  private StreamsSettings() {}

  /** The application id, which names the consumer group, transactional ids and internal topics. */
  public static String applicationId(WorkerConfig config, String stage) {
    return "insighthub." + config.namespace() + "." + config.pipeline() + "." + stage;
  }

  /** Properties for {@code stage} of {@code config}, then {@code env} overrides applied. */
  public static Properties properties(
      WorkerConfig config, String stage, int maxRecordBytes, Map<String, String> env) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(config, stage));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Exactly-once's 100 ms default made transaction coordination about half of the broker's
    // request handling in the end-to-end benchmark (each stream thread ten transactions a
    // second); 500 ms cut the broker's and aggregate's CPU and halved the median freshness at
    // 10K events/s on two cores (BENCHMARKS.md). It adds at most 0.4 s per stage to what a read-
    // committed consumer sees; KAFKA_STREAMS_COMMIT_INTERVAL_MS overrides it.
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, DEFAULT_COMMIT_INTERVAL_MS);
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
    p.put(
        StreamsConfig.STATE_DIR_CONFIG,
        env.getOrDefault(
            STATE_DIR_ENV,
            Path.of(System.getProperty("java.io.tmpdir"), "insighthub-state").toString()));
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // Outputs carry a whole event plus headers; leave room above the largest accepted event.
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        Math.max(1 << 20, maxRecordBytes) + (64 << 10));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    p.putAll(overrides(env));
    return p;
  }

  /**
   * The settings of one Kafka client out of Streams-style {@code properties}: every entry the
   * client knows ({@code names}), then the {@code prefix}ed ones (e.g. {@code producer.linger.ms})
   * over them, as Kafka Streams hands them to its clients.
   */
  public static Map<String, Object> clientConfig(
      Properties properties, java.util.Set<String> names, String prefix) {
    Map<String, Object> config = new HashMap<>();
    properties.forEach(
        (key, value) -> {
          if (names.contains(key.toString())) {
            config.put(key.toString(), value);
          }
        });
    properties.forEach(
        (key, value) -> {
          String name = key.toString();
          if (name.startsWith(prefix) && names.contains(name.substring(prefix.length()))) {
            config.put(name.substring(prefix.length()), value);
          }
        });
    return config;
  }

  /** {@code KAFKA_STREAMS_SESSION_TIMEOUT_MS=6000} becomes {@code session.timeout.ms=6000}. */
  public static Map<String, String> overrides(Map<String, String> env) {
    Map<String, String> result = new HashMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith(OVERRIDE_PREFIX) && name.length() > OVERRIDE_PREFIX.length()) {
            result.put(
                name.substring(OVERRIDE_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'),
                value);
          }
        });
    return result;
  }
}
