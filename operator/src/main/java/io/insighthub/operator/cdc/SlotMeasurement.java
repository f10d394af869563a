package io.insighthub.operator.cdc;

/**
 * What the operator last measured of a CdcSource's replication slot: the ReplicationSlotHealthy
 * condition it gives and, when the slot could be read, the WAL it retains. Compared by value, so
 * the polling event source triggers a reconcile only when something changed.
 *
 * @param status True, False or Unknown
 * @param reason CamelCase reason of the condition
 * @param message names the slot, the database and the threshold; never a credential
 * @param retainedBytes {@code pg_current_wal_lsn() - restart_lsn}; null when not measured
 */
public record SlotMeasurement(String status, String reason, String message, Long retainedBytes) {}
