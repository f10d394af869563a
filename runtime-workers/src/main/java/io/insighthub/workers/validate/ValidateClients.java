package io.insighthub.workers.validate;

import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.streams.StreamsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka clients of the validate loop, configured from the stage's Streams-style properties
 * ({@code StreamsSettings.properties}): a setting applies to every client that knows it (e.g.
 * {@code security.protocol}, {@code session.timeout.ms}), and a {@code consumer.}, {@code
 * producer.} or {@code admin.} prefixed one to that client only, as in Kafka Streams.
 */
final class ValidateClients {
  /** Kafka Streams' exactly-once default: a crashed member's transaction is aborted after it. */
  static final int TRANSACTION_TIMEOUT_MS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(ValidateClients.class);

  private ValidateClients() {}

  static Map<String, Object> admin(Properties properties) {
    return StreamsSettings.clientConfig(
        properties, AdminClientConfig.configNames(), StreamsConfig.ADMIN_CLIENT_PREFIX);
  }

  /** The group member: the application id as group, read_committed, offsets committed by hand. */
  static Map<String, Object> consumer(Properties properties, String clientId) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    config.putAll(
        StreamsSettings.clientConfig(
            properties, ConsumerConfig.configNames(), StreamsConfig.CONSUMER_PREFIX));
    config.put(
        ConsumerConfig.GROUP_ID_CONFIG,
        properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG));
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // The raw topic is the Pipeline's KafkaTopic: a consumer must not create it again, with the
    // broker's defaults, while a deleted Pipeline's worker stops.
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return config;
  }

  /** The consumer that reads the dedup log back: no group, read_committed. */
  static Map<String, Object> restorer(Properties properties) {
    Map<String, Object> config = consumer(properties, null);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.remove(ConsumerConfig.CLIENT_ID_CONFIG);
    config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
    // The last fetch only moves past the final commit marker: do not wait for more data.
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    return config;
  }

  /** The transactional producer of one loop thread. */
  static Map<String, Object> producer(Properties properties, String transactionalId) {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
    config.putAll(
        StreamsSettings.clientConfig(
            properties, ProducerConfig.configNames(), StreamsConfig.PRODUCER_PREFIX));
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return config;
  }

  /**
   * This process's part of the transactional ids, kept in the state directory so that a restarted
   * process (same pod, same directory) takes over its predecessor's ids and aborts its open
   * transactions at once instead of after the transaction timeout. A new directory gets a new id.
   */
  static String instanceId(Properties properties, String stage) {
    Path dir = Path.of(properties.getProperty(StreamsConfig.STATE_DIR_CONFIG));
    Path file = dir.resolve(properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG) + ".id");
    try {
      if (Files.exists(file)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!id.isEmpty()) {
          return id;
        }
      }
      Files.createDirectories(dir);
      String id = UUID.randomUUID().toString();
      Files.writeString(file, id, StandardCharsets.UTF_8);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot keep the " + stage + " instance id in the state directory " + dir, e);
    }
  }

  /** The raw topic's partition count once it exists, or -1 when asked to stop first. */
  static int awaitPartitions(Admin admin, String topic, WorkerContext context)
      throws InterruptedException {
    boolean logged = false;
    while (context.stopRequested().getCount() > 0) {
      try {
        return admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get()
            .get(topic)
            .partitions()
            .size();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException(
              "cannot describe the raw topic " + topic + ": " + e.getCause(), e.getCause());
        }
        if (!logged) {
          LOG.info("waiting for the raw topic {} to exist", topic);
          context.health().notReady("raw topic " + topic + " does not exist");
          logged = true;
        }
      }
      context.stopRequested().await(2, TimeUnit.SECONDS);
    }
    return -1;
  }
}
