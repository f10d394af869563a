package io.insighthub.workers.validate;

import io.insighthub.workers.rows.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;

/**
 * The validate stage's meters. Labels are bounded: the output topic role and the {@link Reason}
 * code; never a field value, event id or field name. Consumer lag comes from the Kafka client
 * metrics bound by the runner ({@code kafka_consumer_fetch_manager_records_lag}).
 */
final class ValidateMetrics {
  static final String RECORDS_IN = "insighthub.validate.records.in";
  static final String RECORDS_OUT = "insighthub.validate.records.out";
  static final String DLQ = "insighthub.validate.dlq";
  static final String LATE = "insighthub.validate.late";
  static final String DUPLICATES_DROPPED = "insighthub.validate.duplicates.dropped";
  static final String SCHEMA_DRIFT_FIELDS = "insighthub.validate.schema.drift.fields";
  static final String PROCESSING_LATENCY = "insighthub.validate.processing.latency";
  static final String DEDUP_IDS = "insighthub.validate.dedup.ids";
  static final String DEDUP_SPILLED_IDS = "insighthub.validate.dedup.spilled.ids";
  static final String DEDUP_FORGOTTEN = "insighthub.validate.dedup.forgotten";

  final Counter in;
  final Counter validated;
  final Counter late;
  final Counter lateOut;
  final Counter dlqOut;
  final Counter duplicates;
  final Counter driftFields;
  final Timer latency;
  final Counter dedupForgotten;
  private final Map<Reason, Counter> dlqByReason = new EnumMap<>(Reason.class);

  /** Ids held for dedup, per processing thread, as of its last commit. */
  final java.util.concurrent.ConcurrentHashMap<Object, Long> dedupIds =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Ids spilled to disk for dedup, per processing thread, as of its last commit. */
  final java.util.concurrent.ConcurrentHashMap<Object, Long> dedupSpilledIds =
      new java.util.concurrent.ConcurrentHashMap<>();

  ValidateMetrics(MeterRegistry registry) {
    in =
        Counter.builder(RECORDS_IN)
            .description("Records read from the raw topic")
            .register(registry);
    validated = out(registry, "validated");
    lateOut = out(registry, "late");
    dlqOut = out(registry, "dlq");
    late =
        Counter.builder(LATE)
            .description("Events older than the allowed lateness, sent to the late topic")
            .register(registry);
    duplicates =
        Counter.builder(DUPLICATES_DROPPED)
            .description("Events dropped because their id was seen within the dedup window")
            .register(registry);
    driftFields =
        Counter.builder(SCHEMA_DRIFT_FIELDS)
            .description("Distinct undeclared fields seen (each counted once per process)")
            .register(registry);
    latency =
        Timer.builder(PROCESSING_LATENCY)
            .description("Time to check, deduplicate and minimize one record")
            .register(registry);
    dedupForgotten =
        Counter.builder(DEDUP_FORGOTTEN)
            .description(
                "Dedup ids forgotten before the lateness and window let them go, to stay within"
                    + " the memory and disk budgets (INSIGHTHUB_VALIDATE_MAX_DEDUP_IDS,"
                    + " INSIGHTHUB_VALIDATE_MAX_SPILLED_DEDUP_IDS) or after a disk error")
            .register(registry);
    io.micrometer.core.instrument.Gauge.builder(
            DEDUP_IDS, dedupIds, ids -> ids.values().stream().mapToLong(Long::longValue).sum())
        .description("Event ids held in memory for deduplication (36-72 bytes each)")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder(
            DEDUP_SPILLED_IDS,
            dedupSpilledIds,
            ids -> ids.values().stream().mapToLong(Long::longValue).sum())
        .description(
            "Event ids spilled to the local disk store for deduplication, beyond the memory"
                + " budget")
        .register(registry);
    for (Reason reason : Reason.values()) {
      if (reason != Reason.LATE_EVENT) {
        dlqByReason.put(
            reason,
            Counter.builder(DLQ)
                .description("Records sent to the DLQ, by reason")
                .tag("reason", reason.name())
                .register(registry));
      }
    }
  }

  /** Records sent to the DLQ for {@code reason} since start. */
  double dlqCount(Reason reason) {
    Counter counter = dlqByReason.get(reason);
    return counter == null ? 0 : counter.count();
  }

  void dlq(Reason reason) {
    dlqByReason.get(reason).increment();
    dlqOut.increment();
  }

  private static Counter out(MeterRegistry registry, String output) {
    return Counter.builder(RECORDS_OUT)
        .description("Records written, by output topic")
        .tag("output", output)
        .register(registry);
  }
}
