package io.insighthub.workers.warehouse;

/** The next Kafka offset to consume for one topic partition, stored in {@code OPS.OFFSETS}. */
public record SourceOffset(String topic, int partition, long nextOffset) {}
