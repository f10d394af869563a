package io.insighthub.workers.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import io.insighthub.workers.ConfigLoader;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the heartbeats the source's Debezium connector writes every {@code heartbeat.interval.ms}
 * to {@code __debezium-heartbeat.<topic.prefix>}: a record whose value carries {@code ts_ms}, the
 * connector's clock when it wrote it (inside a {@code payload} when the converter writes schemas).
 * No consumer group: on start it reads from the last heartbeat on, so a restarted loader can prove
 * its tables complete without waiting for the next one. The topic appears with the connector's
 * first heartbeat and is looked for until then.
 */
final class CdcHeartbeats implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CdcHeartbeats.class);

  /** Debezium's default {@code topic.heartbeat.prefix}, which the operator does not change. */
  static final String TOPIC_PREFIX = "__debezium-heartbeat.";

  private final KafkaConsumer<String, String> consumer;
  private final String topic;
  private final Duration lookEvery;
  private long lookedAt;
  private boolean looked;
  private boolean warned;

  CdcHeartbeats(String bootstrapServers, String topicPrefix, Duration lookEvery) {
    this.topic = TOPIC_PREFIX + topicPrefix;
    this.lookEvery = lookEvery;
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                // Looking for the topic must not create it: the connector does, with its settings.
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class));
  }

  String topic() {
    return topic;
  }

  /**
   * The heartbeat times read since the last call, without waiting; empty until the topic exists.
   */
  List<Instant> poll() {
    if (consumer.assignment().isEmpty()) {
      if (looked && System.nanoTime() - lookedAt < lookEvery.toNanos()) {
        return List.of();
      }
      looked = true;
      lookedAt = System.nanoTime();
      var partitions = consumer.listTopics(Duration.ofSeconds(30)).get(topic);
      if (partitions == null || partitions.isEmpty()) {
        return List.of();
      }
      List<TopicPartition> assigned =
          partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(assigned);
      consumer.seekToEnd(assigned);
      for (TopicPartition partition : assigned) {
        long end = consumer.position(partition, Duration.ofSeconds(30));
        if (end > 0) {
          consumer.seek(partition, end - 1);
        }
      }
      LOG.info("reading the connector's heartbeats from {}", topic);
    }
    List<Instant> times = new ArrayList<>();
    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ZERO)) {
      Instant time = time(record.value());
      if (time != null) {
        times.add(time);
      } else if (!warned) {
        warned = true;
        LOG.warn(
            "a record of {} at offset {} carries no ts_ms; such heartbeats are ignored",
            topic,
            record.offset());
      }
    }
    return times;
  }

  /** The heartbeat's {@code ts_ms}, null when the value has none. */
  static Instant time(String value) {
    if (value == null) {
      return null;
    }
    try {
      JsonNode tree = ConfigLoader.JSON.readTree(value);
      JsonNode body = tree.has("payload") ? tree.get("payload") : tree;
      JsonNode millis = body.path("ts_ms");
      return millis.isIntegralNumber() ? Instant.ofEpochMilli(millis.asLong()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
