package io.insighthub.e2e.scenarios;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** What the scenarios observe of the running system from Kafka's side. */
public final class Pipelines {
  private Pipelines() {}

  /**
   * The records {@code group} has still to read of {@code topics} and of every other topic it has
   * committed offsets for (its repartition topics): for every partition, the last committed offset
   * (read_committed) minus the group's committed offset, a partition the group has not committed
   * counting whole. 0 when the stage has caught up with all sent so far.
   */
  public static long lag(Admin admin, String group, List<String> topics)
      throws ExecutionException, InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    // A Kafka Streams stage also reads its own repartition topics: work in flight there counts.
    java.util.Set<String> all = new java.util.TreeSet<>(topics);
    committed.keySet().forEach(tp -> all.add(tp.topic()));
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (var description : admin.describeTopics(all).allTopicNames().get().values()) {
      description
          .partitions()
          .forEach(
              p ->
                  latest.put(
                      new TopicPartition(description.name(), p.partition()), OffsetSpec.latest()));
    }
    var ends =
        admin
            .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
            .all()
            .get();
    long lag = 0;
    for (var end : ends.entrySet()) {
      OffsetAndMetadata at = committed.get(end.getKey());
      lag += Math.max(0, end.getValue().offset() - (at == null ? 0 : at.offset()));
    }
    return lag;
  }

  /** A stage's consumer group and the topics it reads. */
  public record Stage(String group, List<String> topics) {}

  /**
   * The stages of an events Pipeline with streaming transforms: validate, aggregate and load, by
   * the group names the workers use.
   */
  public static List<Stage> eventStages(
      String namespace, String pipeline, List<String> transforms) {
    String prefix = namespace + "." + pipeline + ".";
    List<String> loaded = new java.util.ArrayList<>(List.of(prefix + "validated"));
    transforms.forEach(t -> loaded.add(prefix + t));
    return List.of(
        new Stage("insighthub." + prefix + "validate", List.of(prefix + "raw")),
        new Stage("insighthub." + prefix + "aggregate", List.of(prefix + "validated")),
        new Stage("load." + namespace + "." + pipeline, loaded));
  }

  /** Waits until every stage's lag is 0 twice in a row, a second apart. */
  public static void awaitCaughtUp(Admin admin, List<Stage> stages, Duration limit)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    int zeros = 0;
    Map<String, Long> lags = Map.of();
    while (System.nanoTime() < deadline) {
      Map<String, Long> now = new java.util.TreeMap<>();
      for (Stage stage : stages) {
        now.put(stage.group(), lag(admin, stage.group(), stage.topics()));
      }
      lags = now;
      zeros = lags.values().stream().allMatch(l -> l == 0) ? zeros + 1 : 0;
      if (zeros >= 2) {
        return;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError("stages still behind after " + limit + ": " + lags);
  }

  /** The groups with committed offsets, for diagnostics. */
  public static List<String> groups(Admin admin) throws Exception {
    return admin.listConsumerGroups().all().get().stream()
        .map(ConsumerGroupListing::groupId)
        .sorted()
        .toList();
  }
}
