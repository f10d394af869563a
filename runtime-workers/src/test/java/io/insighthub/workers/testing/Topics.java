package io.insighthub.workers.testing;

import io.insighthub.e2e.kafka.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Test-side Kafka access: create topics, produce raw bytes, read committed records back. */
public final class Topics {
  private Topics() {}

  /**
   * Creates the topics without time-based retention: fixtures carry fixed event times as record
   * timestamps, and with the broker's default 7 days its periodic retention check (the first ~30 s
   * after start) deleted every record older than that, input included, under a running stage.
   */
  public static void create(KafkaBroker broker, int partitions, String... names) {
    try (Admin admin = broker.admin()) {
      List<NewTopic> topics = new ArrayList<>();
      for (String name : names) {
        topics.add(
            new NewTopic(name, partitions, (short) 1)
                .configs(java.util.Map.of("retention.ms", "-1")));
      }
      admin.createTopics(topics).all().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topics", e);
    }
  }

  /** Sends the records and waits until all are acknowledged; returns where each landed. */
  public static List<RecordMetadata> produce(
      KafkaBroker broker, Collection<ProducerRecord<byte[], byte[]>> records) {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                4 << 20,
                // One batch in flight keeps the idempotent producer's sequence numbers in order
                // even when a request is retried on a loaded machine (several in flight gave
                // endless OUT_OF_ORDER_SEQUENCE_NUMBER retries there), and generous timeouts keep
                // an expired request from resetting the sequence.
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                1,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                120_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                300_000),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (ProducerRecord<byte[], byte[]> record : records) {
        sent.add(producer.send(record));
      }
      producer.flush();
      List<RecordMetadata> landed = new ArrayList<>();
      for (Future<RecordMetadata> future : sent) {
        landed.add(future.get());
      }
      return landed;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot produce test records", e);
    }
  }

  /** A read_committed reader of all partitions of a topic from the start; call poll to catch up. */
  public static Reader reader(KafkaBroker broker, String topic) {
    return new Reader(broker, topic);
  }

  /** Accumulates a topic's committed records. */
  public static final class Reader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    private Reader(KafkaBroker broker, String topic) {
      consumer =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  broker.bootstrapServers(),
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                  "read_committed",
                  ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                  false),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
      // Right after a topic is created the broker's metadata may not list its partitions yet;
      // assigning none would make the first poll fail.
      List<TopicPartition> partitions =
          org.awaitility.Awaitility.await("partitions of " + topic)
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      consumer.partitionsFor(topic).stream()
                          .map(p -> new TopicPartition(topic, p.partition()))
                          .toList(),
                  list -> !list.isEmpty());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }

    /** Reads what is available now; returns everything read so far. */
    public List<ConsumerRecord<byte[], byte[]>> poll() {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        records.add(record);
      }
      return records;
    }

    /**
     * Reads up to the end offsets the topic has now (or for at most {@code limit}); returns
     * everything read so far.
     */
    public List<ConsumerRecord<byte[], byte[]>> readToEnd(Duration limit) {
      Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
      long deadline = System.nanoTime() + limit.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
          && System.nanoTime() < deadline) {
        poll();
      }
      return records;
    }

    public List<ConsumerRecord<byte[], byte[]>> records() {
      return records;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
