package io.insighthub.operator.pipeline;

import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.strimzi.api.kafka.model.common.Condition;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Whether a Pipeline's KafkaTopics are ready, read from the Ready condition Strimzi's Topic
 * Operator sets on each; the first problem found becomes the TopicsReady reason and message.
 *
 * @param ready every layer's topic exists and is Ready for its current generation
 * @param reason CamelCase reason for the TopicsReady condition
 * @param message what a user reads in kubectl describe
 */
public record TopicHealth(boolean ready, String reason, String message) {
  static final String PENDING = "TopicPending";

  /**
   * Whether Strimzi has created every layer's topic: each reported Ready at least for an earlier
   * generation. Workers may start (or roll) while a later topic change is still being applied.
   */
  public static boolean created(Pipeline pipeline, Collection<KafkaTopic> observed) {
    return TopicBuilder.topicNames(pipeline).stream()
        .allMatch(
            name ->
                observed.stream()
                    .filter(t -> t.getMetadata().getName().equals(name))
                    .anyMatch(TopicHealth::readyAtSomeGeneration));
  }

  private static boolean readyAtSomeGeneration(KafkaTopic topic) {
    return topic.getStatus() != null
        && topic.getStatus().getConditions() != null
        && topic.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  public static TopicHealth assess(Pipeline pipeline, Collection<KafkaTopic> observed) {
    Map<String, KafkaTopic> byName =
        observed.stream()
            .collect(
                Collectors.toMap(t -> t.getMetadata().getName(), Function.identity(), (a, b) -> a));
    List<TopicHealth> problems = new ArrayList<>();
    List<String> names = TopicBuilder.topicNames(pipeline);
    for (String name : names) {
      problems.add(one(name, byName.get(name)));
    }
    List<TopicHealth> failing = problems.stream().filter(p -> !p.ready()).toList();
    if (failing.isEmpty()) {
      return new TopicHealth(
          true,
          "TopicsReady",
          names.size()
              + " KafkaTopics ready (raw, validated, dlq, late"
              + (names.size() > TopicBuilder.LAYERS.size()
                  ? " and the streaming transforms' outputs"
                  : "")
              + ")");
    }
    // A Strimzi error explains more than a topic still pending: report it first.
    if (failing.stream().allMatch(p -> p.reason().equals(PENDING))) {
      // One message for however many are still pending: it stays the same while Strimzi works
      // through them, so their progress costs no status write per topic.
      return new TopicHealth(
          false,
          PENDING,
          "Waiting for Strimzi's Topic Operator to reconcile the Pipeline's KafkaTopics"
              + " (kubectl get kafkatopics -l "
              + CrdConstants.LABEL_PIPELINE
              + "="
              + pipeline.getMetadata().getName()
              + " shows which are not Ready)");
    }
    TopicHealth first =
        failing.stream()
            .filter(p -> p.reason().equals("TopicNotReady"))
            .findFirst()
            .orElse(failing.getFirst());
    String more = failing.size() > 1 ? " (and " + (failing.size() - 1) + " more not ready)" : "";
    return new TopicHealth(false, first.reason(), first.message() + more);
  }

  private static TopicHealth one(String name, KafkaTopic topic) {
    if (topic == null) {
      return new TopicHealth(false, PENDING, "KafkaTopic " + name + ": not created yet");
    }
    var status = topic.getStatus();
    Optional<Condition> ready =
        status == null || status.getConditions() == null
            ? Optional.empty()
            : status.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    Long generation = topic.getMetadata().getGeneration();
    boolean current =
        status != null && (generation == null || status.getObservedGeneration() >= generation);
    if (ready.isEmpty() || !current) {
      return new TopicHealth(
          false, PENDING, "KafkaTopic " + name + ": waiting for Strimzi to reconcile it");
    }
    if (!"True".equals(ready.get().getStatus())) {
      String why =
          ready.get().getMessage() != null ? ready.get().getMessage() : ready.get().getReason();
      return new TopicHealth(
          false, "TopicNotReady", "KafkaTopic " + name + ": Strimzi reports '" + why + "'");
    }
    return new TopicHealth(true, "TopicsReady", "KafkaTopic " + name + " ready");
  }
}
