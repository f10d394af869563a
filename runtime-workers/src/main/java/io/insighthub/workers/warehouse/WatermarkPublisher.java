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

  /**
   * Sends another report of a stage (a pii-purge run's) under its own key, waiting until the broker
   * has it: a job publishes once, just before it exits.
   */
  public void publishAndWait(String key, Object report) {
    try {
      producer
          .send(new ProducerRecord<>(topic, key, ConfigLoader.JSON.writeValueAsString(report)))
          .get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a report", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("report {} not published: {}", key, e.toString());
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
