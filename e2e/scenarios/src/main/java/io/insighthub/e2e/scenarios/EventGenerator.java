package io.insighthub.e2e.scenarios;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Product events as the SDKs post them to {@code <namespace>.product-events.raw}: page views,
 * clicks and API calls of users of a few accounts, with the declared PII fields ({@code email},
 * {@code ip_address}). It also sends what a real stream carries and the pipeline must handle: a
 * resent event (same {@code event_id}) and, when asked, malformed ones. It counts what it sent so a
 * test can compare the warehouse with it.
 */
public final class EventGenerator implements AutoCloseable {
  private static final List<String> TYPES = List.of("page_view", "page_view", "click", "api_call");

  private final KafkaProducer<String, String> producer;
  private final String topic;
  private final Random random;
  private long sequence;
  private long unique;
  private long duplicates;
  private long malformed;

  public EventGenerator(String bootstrapServers, String namespace, long seed) {
    this.topic = namespace + ".product-events.raw";
    this.random = new Random(seed);
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                // The samples' raw layer is lz4: batches in its codec are stored as sent, others
                // are decompressed and rebuilt by the broker, as a real producer would want to
                // avoid.
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4"),
            new StringSerializer(),
            new StringSerializer());
  }

  /** Sends {@code count} valid events with event times around {@code now}; every 50th resent. */
  public void send(int count, Instant now) {
    send(count, now, 1000);
  }

  /**
   * Sends {@code count} valid events, each with an event time up to {@code skewMillis} before
   * {@code now} (0: exactly {@code now}); every 50th is resent.
   */
  public void send(int count, Instant now, int skewMillis) {
    // Built by hand, not with String.formatted: at 25K events/s the generator shares the two
    // cores with the stack it measures, and formatting cost it ~2x the CPU.
    String sameTime = skewMillis == 0 ? now.toString() : null;
    StringBuilder json = new StringBuilder(400);
    for (int i = 0; i < count; i++) {
      long n = sequence++;
      int user = random.nextInt(40);
      String type = TYPES.get(random.nextInt(TYPES.size()));
      String time =
          sameTime != null ? sameTime : now.minusMillis(random.nextInt(skewMillis)).toString();
      String platform = random.nextBoolean() ? "web" : "ios";
      int page = random.nextInt(20);
      json.setLength(0);
      json.append("{\"event_id\":\"evt-")
          .append(n)
          .append("\",\"event_type\":\"")
          .append(type)
          .append("\",\"occurred_at\":\"")
          .append(time)
          .append("\",\"platform\":\"")
          .append(platform)
          .append("\",\"device_id\":\"device-")
          .append(user)
          .append("\",\"user_id\":\"user-")
          .append(user)
          .append("\",\"account_id\":\"acct-")
          .append(user % 5)
          .append("\",\"page_url\":\"https://app.insighthub.io/p/")
          .append(page)
          .append("\",\"email\":\"user")
          .append(user)
          .append("@customer")
          .append(user % 5)
          .append(".example\",\"ip_address\":\"203.0.113.")
          .append(user)
          .append("\",\"session_seq\":")
          .append(n)
          .append('}');
      String event = json.toString();
      producer.send(new ProducerRecord<>(topic, "evt-" + n, event));
      unique++;
      if (n % 50 == 0) {
        producer.send(new ProducerRecord<>(topic, "evt-" + n, event));
        duplicates++;
      }
    }
    producer.flush();
  }

  /** Sends {@code count} records the validate stage must send to the DLQ. */
  public void sendMalformed(int count) {
    for (int i = 0; i < count; i++) {
      String bad =
          i % 2 == 0
              ? "{not json"
              : "{\"event_id\":\"bad-" + i + "\",\"event_type\":\"click\",\"platform\":\"web\"}";
      producer.send(new ProducerRecord<>(topic, "bad-" + i, bad));
      malformed++;
    }
    producer.flush();
  }

  /** Distinct valid events sent. */
  public long unique() {
    return unique;
  }

  public long duplicates() {
    return duplicates;
  }

  public long malformed() {
    return malformed;
  }

  @Override
  public void close() {
    producer.close();
  }
}
