package io.insighthub.e2e.adapter;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.strimzi.api.kafka.Crds;
import io.strimzi.api.kafka.model.common.Condition;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.topic.KafkaTopicStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-bed stand-in for Strimzi's topic operator: realizes {@code KafkaTopic} resources as topics
 * on the real broker and reports the outcome in their status, as Strimzi would. The local broker
 * has one node, so replicas and min.insync.replicas are capped at 1; everything else (partitions,
 * retention, compression, cleanup policy) is applied as declared. Lives only under e2e/.
 */
public final class KafkaTopicAdapter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaTopicAdapter.class);
  private static final Set<String> CAPPED_CONFIGS = Set.of("min.insync.replicas");

  private final KubernetesClient client;
  private final Admin admin;
  private final SharedIndexInformer<KafkaTopic> informer;

  private KafkaTopicAdapter(KubernetesClient client, Admin admin, String namespace) {
    this.client = client;
    this.admin = admin;
    var topics = Crds.topicOperation(client);
    this.informer =
        (namespace == null ? topics.inAnyNamespace() : topics.inNamespace(namespace))
            .inform(new Handler(), TimeUnit.SECONDS.toMillis(30));
  }

  /** Starts realizing the KafkaTopics of {@code namespace} (all namespaces when null). */
  public static KafkaTopicAdapter start(KubernetesClient client, Admin admin, String namespace) {
    return new KafkaTopicAdapter(client, admin, namespace);
  }

  @Override
  public void close() {
    informer.close();
  }

  private void realize(KafkaTopic resource) {
    String topic = topicName(resource);
    Condition ready;
    try {
      ensureTopic(topic, resource);
      ready = StrimziStatus.ready("True", null, null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      ready = StrimziStatus.ready("False", cause.getClass().getSimpleName(), cause.getMessage());
    } catch (RuntimeException e) {
      ready = StrimziStatus.ready("False", e.getClass().getSimpleName(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    KafkaTopicStatus status = new KafkaTopicStatus();
    status.setTopicName(topic);
    status.setObservedGeneration(resource.getMetadata().getGeneration());
    status.setConditions(List.of(keepTransitionTime(resource, ready)));
    if (sameStatus(resource.getStatus(), status)) {
      return;
    }
    resource.setStatus(status);
    try {
      Crds.topicOperation(client).resource(resource).updateStatus();
    } catch (RuntimeException e) {
      LOG.debug("status of KafkaTopic {} not written, retried on next event", topic, e);
    }
  }

  private void ensureTopic(String topic, KafkaTopic resource)
      throws ExecutionException, InterruptedException {
    int partitions = Optional.ofNullable(resource.getSpec().getPartitions()).orElse(1);
    Map<String, String> configs = configs(resource);
    Optional<TopicDescription> existing = describe(topic);
    if (existing.isEmpty()) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
          .all()
          .get();
      LOG.info("created topic {} with {} partitions", topic, partitions);
      return;
    }
    int current = existing.get().partitions().size();
    if (partitions < current) {
      throw new IllegalArgumentException(
          "Number of partitions cannot be decreased (" + current + " -> " + partitions + ")");
    }
    if (partitions > current) {
      admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all().get();
    }
    Collection<AlterConfigOp> ops = new ArrayList<>();
    configs.forEach(
        (k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
    if (!ops.isEmpty()) {
      admin
          .incrementalAlterConfigs(
              Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), ops))
          .all()
          .get();
    }
  }

  private Optional<TopicDescription> describe(String topic)
      throws ExecutionException, InterruptedException {
    try {
      return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static Map<String, String> configs(KafkaTopic resource) {
    Map<String, Object> declared =
        Optional.ofNullable(resource.getSpec().getConfig()).orElse(Map.of());
    Map<String, String> configs = new TreeMap<>();
    declared.forEach(
        (k, v) -> configs.put(k, CAPPED_CONFIGS.contains(k) ? "1" : String.valueOf(v)));
    return configs;
  }

  private void delete(KafkaTopic resource) {
    try {
      admin.deleteTopics(List.of(topicName(resource))).all().get();
    } catch (ExecutionException e) {
      LOG.debug("topic {} not deleted: {}", topicName(resource), e.getCause().toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String topicName(KafkaTopic resource) {
    return Optional.ofNullable(resource.getSpec().getTopicName())
        .orElse(resource.getMetadata().getName());
  }

  private static Condition keepTransitionTime(KafkaTopic resource, Condition next) {
    Optional.ofNullable(resource.getStatus())
        .map(KafkaTopicStatus::getConditions)
        .flatMap(cs -> cs.stream().filter(c -> "Ready".equals(c.getType())).findFirst())
        .filter(previous -> next.getStatus().equals(previous.getStatus()))
        .ifPresent(previous -> next.setLastTransitionTime(previous.getLastTransitionTime()));
    return next;
  }

  private static boolean sameStatus(KafkaTopicStatus current, KafkaTopicStatus next) {
    return current != null
        && Objects.equals(current.getObservedGeneration(), next.getObservedGeneration())
        && current.getConditions() != null
        && current.getConditions().size() == 1
        && sameCondition(current.getConditions().get(0), next.getConditions().get(0));
  }

  private static boolean sameCondition(Condition a, Condition b) {
    return Objects.equals(a.getType(), b.getType())
        && Objects.equals(a.getStatus(), b.getStatus())
        && Objects.equals(a.getReason(), b.getReason())
        && Objects.equals(a.getMessage(), b.getMessage());
  }

  private final class Handler implements ResourceEventHandler<KafkaTopic> {
    @Override
    public void onAdd(KafkaTopic topic) {
      realize(topic);
    }

    @Override
    public void onUpdate(KafkaTopic before, KafkaTopic after) {
      realize(after);
    }

    @Override
    public void onDelete(KafkaTopic topic, boolean unknownFinalState) {
      delete(topic);
    }
  }
}
