package io.insighthub.operator.freshness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The operator's watermark consumer on a real broker: latest per table, batched notifications. */
@ExtendWith(KafkaBrokerExtension.class)
class WatermarkConsumerIT {
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

  @Test
  void keepsTheLatestWatermarkPerTableAndNotifiesPipelinesInBatches(KafkaBroker broker)
      throws Exception {
    WatermarkTopic.ensure(broker);
    Instant t0 = Instant.parse("2026-11-27T10:00:00Z");
    WatermarkStore store = new WatermarkStore();
    List<Set<WatermarkConsumer.PipelineRef>> notifications = new CopyOnWriteArrayList<>();

    try (WatermarkConsumer consumer =
            new WatermarkConsumer(
                    broker.bootstrapServers(), store, notifications::add, Duration.ofMillis(500))
                .start();
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
      for (int i = 0; i < 50; i++) {
        send(
            producer,
            new Watermark(
                "analytics",
                "billing",
                "VALIDATED.INVOICES",
                t0.plusSeconds(i),
                t0.plusSeconds(i + 2),
                i,
                0));
      }
      send(
          producer,
          new Watermark("analytics", "events", "VALIDATED.EVENTS", t0, t0.plusSeconds(1), 7, 0));
      producer
          .send(new ProducerRecord<>(WorkerConfig.WATERMARK_TOPIC, "junk", "not json".getBytes()))
          .get();
      producer.flush();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(store.tablesOf("analytics", "billing"))
                      .extractingByKey("VALIDATED.INVOICES")
                      .extracting(Watermark::rows)
                      .isEqualTo(49L));
      assertThat(store.tablesOf("analytics", "events")).containsOnlyKeys("VALIDATED.EVENTS");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  // Other tests of the run share the topic; this one writes only to analytics.
                  assertThat(
                          notifications.stream()
                              .flatMap(Set::stream)
                              .filter(ref -> ref.namespace().equals("analytics"))
                              .distinct())
                      .containsExactlyInAnyOrder(
                          new WatermarkConsumer.PipelineRef("analytics", "billing"),
                          new WatermarkConsumer.PipelineRef("analytics", "events")));
      assertThat(notifications).as("51 records, a few flushes").hasSizeLessThan(10);
    }
  }

  private static void send(KafkaProducer<String, byte[]> producer, Watermark mark)
      throws Exception {
    producer.send(
        new ProducerRecord<>(
            WorkerConfig.WATERMARK_TOPIC, mark.key(), JSON.writeValueAsBytes(mark)));
  }
}
