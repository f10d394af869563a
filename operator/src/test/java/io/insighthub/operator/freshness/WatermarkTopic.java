package io.insighthub.operator.freshness;

import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** The compacted watermark topic on the test bed's broker, shared by the tests of one run. */
public final class WatermarkTopic {
  private WatermarkTopic() {}

  /** Creates {@code insighthub.watermarks} (3 partitions, compacted) unless it exists. */
  public static void ensure(KafkaBroker broker) throws InterruptedException, ExecutionException {
    try (Admin admin = broker.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(WorkerConfig.WATERMARK_TOPIC, 3, (short) 1)
                      .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"))))
          .all()
          .get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
    }
  }
}
