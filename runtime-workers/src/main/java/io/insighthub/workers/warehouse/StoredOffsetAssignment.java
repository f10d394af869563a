package io.insighthub.workers.warehouse;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions of a loader's topics, assigned directly rather than through a consumer group: a
 * loader runs as one replica and its offsets live in the warehouse, so a restart resumes at once
 * instead of waiting out the dead member's session. A partition is read from its offset in
 * OPS.OFFSETS, or from the start when it has none; topics of newly captured tables are picked up by
 * {@link #refresh}.
 */
public final class StoredOffsetAssignment {
  private static final Logger LOG = LoggerFactory.getLogger(StoredOffsetAssignment.class);

  private final KafkaConsumer<String, String> consumer;
  private final Warehouse warehouse;
  private final String consumerId;
  private final Pattern topics;
  private long refreshedAt;

  public StoredOffsetAssignment(
      KafkaConsumer<String, String> consumer,
      Warehouse warehouse,
      String consumerId,
      Pattern topics) {
    this.consumer = consumer;
    this.warehouse = warehouse;
    this.consumerId = consumerId;
    this.topics = topics;
  }

  public void refreshEvery(Duration interval) {
    if (System.nanoTime() - refreshedAt > interval.toNanos()) {
      refresh();
    }
  }

  public void refresh() {
    refreshedAt = System.nanoTime();
    Set<TopicPartition> wanted = new HashSet<>();
    consumer
        .listTopics(Duration.ofSeconds(30))
        .forEach(
            (topic, partitions) -> {
              if (topics.matcher(topic).matches()) {
                partitions.forEach(p -> wanted.add(new TopicPartition(p.topic(), p.partition())));
              }
            });
    Set<TopicPartition> current = consumer.assignment();
    if (wanted.equals(current)) {
      return;
    }
    consumer.assign(wanted);
    Map<TopicPartition, Long> stored = new HashMap<>();
    for (SourceOffset offset : warehouse.offsets(consumerId)) {
      stored.put(new TopicPartition(offset.topic(), offset.partition()), offset.nextOffset());
    }
    for (TopicPartition partition : wanted) {
      if (current.contains(partition)) {
        continue;
      }
      Long next = stored.get(partition);
      if (next != null) {
        consumer.seek(partition, next);
      } else {
        consumer.seekToBeginning(List.of(partition));
      }
    }
    LOG.info("reading {} partitions of {}", wanted.size(), topics.pattern());
  }
}
