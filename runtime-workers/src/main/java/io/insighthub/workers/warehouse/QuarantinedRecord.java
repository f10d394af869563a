package io.insighthub.workers.warehouse;

/**
 * A record the loader could not apply, kept in {@code OPS.QUARANTINE} with the reason so it is
 * never lost; its offset still advances.
 */
public record QuarantinedRecord(
    String topic, int partition, long offset, String key, String value, String reason) {}
