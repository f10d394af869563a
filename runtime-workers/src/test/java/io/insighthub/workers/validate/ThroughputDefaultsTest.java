package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ThroughputDefaultsTest {
  @Test
  void oneStreamThreadPerCoreAndLargerBatches() {
    Properties p = new Properties();
    ValidateStage.throughputDefaults(p, 4);
    assertThat(p.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(4);
    assertThat(p.get(StreamsConfig.producerPrefix("batch.size"))).isEqualTo(256 * 1024);
    // The guarantee is not a throughput default.
    assertThat(p).doesNotContainKey(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
  }

  @Test
  void anEnvironmentOverrideWins() {
    Properties p = new Properties();
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
    ValidateStage.throughputDefaults(p, 8);
    assertThat(p.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo("1");
  }
}
