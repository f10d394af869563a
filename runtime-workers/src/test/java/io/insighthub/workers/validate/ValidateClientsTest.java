package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.workers.streams.StreamsSettings;
import io.insighthub.workers.testing.TestDirs;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ValidateClientsTest {
  private final Path state = TestDirs.fresh("validate-clients").resolve("state");

  private Properties properties(Map<String, String> overrides) {
    java.util.HashMap<String, String> env = new java.util.HashMap<>(overrides);
    env.put(StreamsSettings.STATE_DIR_ENV, state.toString());
    Properties p =
        StreamsSettings.properties(
            TestSchemas.config(
                "broker:9092",
                "clients",
                SchemaDriftCheck.Policy.EVOLVE,
                state.resolveSibling("key")),
            "validate",
            1 << 20,
            env);
    ValidateStage.throughputDefaults(p, 2);
    return p;
  }

  @Test
  void aSettingGoesToEveryClientThatKnowsItAndAPrefixedOneToItsClientOnly() {
    Properties p =
        properties(
            Map.of(
                "KAFKA_STREAMS_SECURITY_PROTOCOL", "SSL",
                "KAFKA_STREAMS_SESSION_TIMEOUT_MS", "6000",
                "KAFKA_STREAMS_PRODUCER_LINGER_MS", "7"));
    Map<String, Object> consumer = ValidateClients.consumer(p, "c-0");
    Map<String, Object> producer = ValidateClients.producer(p, "tx-0");
    assertThat(consumer)
        .containsEntry("security.protocol", "SSL")
        .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000")
        .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "insighthub.it.clients.validate")
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .doesNotContainKey(ProducerConfig.LINGER_MS_CONFIG);
    assertThat(producer)
        .containsEntry("security.protocol", "SSL")
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "7")
        .containsEntry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-0")
        .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
        .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024)
        .containsEntry(
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, ValidateClients.TRANSACTION_TIMEOUT_MS)
        .doesNotContainKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
    assertThat(ValidateClients.restorer(p))
        .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG)
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
  }

  @Test
  void theInstanceIdIsKeptInTheStateDirectory() {
    Properties p = properties(Map.of());
    String first = ValidateClients.instanceId(p, "validate");
    assertThat(ValidateClients.instanceId(p, "validate")).isEqualTo(first);
    Properties elsewhere = properties(Map.of());
    elsewhere.put(
        org.apache.kafka.streams.StreamsConfig.STATE_DIR_CONFIG,
        state.resolveSibling("other").toString());
    assertThat(ValidateClients.instanceId(elsewhere, "validate")).isNotEqualTo(first);
  }

  @Test
  void theDedupBudgetIsHalfTheHeapUnlessSetAndABadSettingIsNamed() {
    assertThat(ValidateStage.maxDedupIds(Map.of(), 8L << 30)).isEqualTo((8L << 30) / 2 / 72);
    assertThat(ValidateStage.maxDedupIds(Map.of(), 1 << 20)).isEqualTo(100_000);
    assertThat(
            ValidateStage.maxDedupIds(Map.of(ValidateStage.MAX_DEDUP_IDS_ENV, "5000000"), 1 << 20))
        .isEqualTo(5_000_000);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ValidateStage.maxDedupIds(Map.of(ValidateStage.MAX_DEDUP_IDS_ENV, "lots"), 1))
        .hasMessageContaining(ValidateStage.MAX_DEDUP_IDS_ENV)
        .hasMessageContaining("lots");
  }

  @Test
  void theDiskBudgetIsUnboundedUnlessSetZeroTurnsTheSpillOffAndABadSettingIsNamed() {
    String name = ValidateStage.MAX_SPILLED_DEDUP_IDS_ENV;
    assertThat(ValidateStage.maxSpilledDedupIds(Map.of())).isEqualTo(Long.MAX_VALUE);
    assertThat(ValidateStage.maxSpilledDedupIds(Map.of(name, " 300000000 ")))
        .isEqualTo(300_000_000);
    assertThat(ValidateStage.maxSpilledDedupIds(Map.of(name, "0"))).isZero();
    for (String bad : new String[] {"-1", "much"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> ValidateStage.maxSpilledDedupIds(Map.of(name, bad)))
          .hasMessageContaining(name)
          .hasMessageContaining(bad);
    }
  }
}
