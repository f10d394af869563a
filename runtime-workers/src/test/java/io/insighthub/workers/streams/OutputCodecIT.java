package io.insighthub.workers.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Stages produce with their output topic's codec, read from the real broker. */
@ExtendWith(KafkaBrokerExtension.class)
class OutputCodecIT {
  private static final String KEY = "producer.compression.type";

  @BeforeAll
  static void topics(KafkaBroker broker) throws Exception {
    try (Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(
                  topic("codec.zstd", "zstd"),
                  topic("codec.producer", "producer"),
                  topic("codec.uncompressed", "uncompressed")))
          .all()
          .get();
    }
  }

  private static NewTopic topic(String name, String compression) {
    return new NewTopic(name, 1, (short) 1).configs(Map.of("compression.type", compression));
  }

  private static Properties properties(KafkaBroker broker) {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put(KEY, "lz4");
    return p;
  }

  @Test
  void aTopicWithACodecSetsTheProducers(KafkaBroker broker) {
    Properties p = properties(broker);
    assertThat(OutputCodec.apply(p, "codec.zstd", Map.of())).isEqualTo("zstd");
    assertThat(p).containsEntry(KEY, "zstd");
    Properties uncompressed = properties(broker);
    assertThat(OutputCodec.apply(uncompressed, "codec.uncompressed", Map.of())).isEqualTo("none");
  }

  @Test
  void aTopicThatKeepsTheProducersCodecOrCannotBeReadLeavesTheDefault(KafkaBroker broker) {
    Properties p = properties(broker);
    assertThat(OutputCodec.apply(p, "codec.producer", Map.of())).isEqualTo("lz4");
    Properties missing = properties(broker);
    assertThat(OutputCodec.apply(missing, "codec.no-such-topic", Map.of())).isEqualTo("lz4");
  }

  @Test
  void anEnvironmentOverrideWins(KafkaBroker broker) {
    Properties p = properties(broker);
    p.put(KEY, "snappy"); // as StreamsSettings.properties applies the override
    assertThat(
            OutputCodec.apply(
                p, "codec.zstd", Map.of("KAFKA_STREAMS_PRODUCER_COMPRESSION_TYPE", "snappy")))
        .isEqualTo("snappy");
    assertThat(p).containsEntry(KEY, "snappy");
  }
}
