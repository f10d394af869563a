package io.insighthub.workers.purge;

import io.insighthub.crds.worker.Lifecycle;
import io.insighthub.crds.worker.PurgeReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Verifies, without changing anything, that the Kafka topics holding raw PII delete it in time:
 * each topic's {@code retention.ms} as the broker has it, against the policy's limit. The operator
 * renders that retention and CEL bounds it; this is the evidence that the broker agrees.
 */
final class TopicCheck {
  /** The broker's view of one topic. */
  record Verified(Lifecycle.Topic topic, Long retentionMs, String problem) {}

  private TopicCheck() {}

  static List<Verified> run(
      String bootstrapServers,
      List<Lifecycle.Topic> topics,
      int maxDays,
      Instant now,
      List<PurgeReport.LayerAge> rawPii) {
    List<Verified> verified = new ArrayList<>();
    if (topics.isEmpty()) {
      return verified;
    }
    long limit = Duration.ofDays(maxDays).toMillis();
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000))) {
      List<ConfigResource> resources =
          topics.stream()
              .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.topic()))
              .toList();
      Map<ConfigResource, org.apache.kafka.common.KafkaFuture<Config>> configs =
          admin.describeConfigs(resources).values();
      for (int i = 0; i < topics.size(); i++) {
        Lifecycle.Topic topic = topics.get(i);
        try {
          Config config = configs.get(resources.get(i)).get(30, TimeUnit.SECONDS);
          var entry = config.get(TopicConfig.RETENTION_MS_CONFIG);
          long retention = entry == null ? -1 : Long.parseLong(entry.value());
          String problem =
              retention < 0 || retention > limit
                  ? "topic "
                      + topic.topic()
                      + " keeps records "
                      + (retention < 0
                          ? "forever"
                          : Duration.ofMillis(retention).toDays() + " days")
                      + " but holds raw PII (limit "
                      + maxDays
                      + " days): its retention.ms was changed outside the Pipeline"
                  : null;
          verified.add(new Verified(topic, retention, problem));
          rawPii.add(
              new PurgeReport.LayerAge(
                  "kafka",
                  topic.topic(),
                  retention < 0 ? Instant.EPOCH : now.minusMillis(retention),
                  maxDays));
        } catch (ExecutionException | TimeoutException e) {
          verified.add(
              new Verified(
                  topic,
                  null,
                  "topic "
                      + topic.topic()
                      + ": retention not verified ("
                      + (e.getCause() != null ? e.getCause() : e).getClass().getSimpleName()
                      + ")"));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return verified;
  }
}
