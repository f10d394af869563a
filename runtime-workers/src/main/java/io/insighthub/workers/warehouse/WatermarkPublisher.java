package io.insighthub.workers.warehouse;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.workers.ConfigLoader;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Publishes a loader's watermarks to the compacted watermark topic, keyed per table. */
public final class WatermarkPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WatermarkPublisher.class);

  private final KafkaProducer<String, String> producer;
  private final String topic;

  public WatermarkPublisher(String bootstrapServers, String topic) {
    this.topic = topic;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.LINGER_MS_CONFIG,
                20));
  }

  /**
   * Sends one watermark. A watermark only reports freshness, so a failed send is logged, not
   * retried: the next batch publishes a newer one.
   */
  public void publish(Watermark watermark) {
    try {
      producer.send(
          new ProducerRecord<>(
              topic, watermark.key(), ConfigLoader.JSON.writeValueAsString(watermark)),
          (metadata, error) -> {
            if (error != null) {
              LOG.warn("watermark for {} not published: {}", watermark.table(), error.toString());
            }
          });
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a watermark", e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
