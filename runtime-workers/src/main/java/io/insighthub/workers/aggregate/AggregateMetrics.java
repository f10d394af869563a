package io.insighthub.workers.aggregate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The aggregate stage's meters; labels are bounded (output name, skip reason). */
final class AggregateMetrics {
  static final String RECORDS_IN = "insighthub.aggregate.records.in";
  static final String RECORDS_SKIPPED = "insighthub.aggregate.records.skipped";
  static final String RECORDS_OUT = "insighthub.aggregate.records.out";

  final Counter in;
  final Counter unparseable;
  final Counter noAccount;
  final Counter late;
  final Counter sessionsOut;
  final Counter usageOut;

  AggregateMetrics(MeterRegistry registry) {
    in = Counter.builder(RECORDS_IN).description("Validated events read").register(registry);
    unparseable = skipped(registry, "unparseable");
    noAccount = skipped(registry, "no_account");
    // Its session or one of its windows already closed (older than the grace): not counted there.
    late = skipped(registry, "late");
    sessionsOut = out(registry, "sessions");
    usageOut = out(registry, "account_usage");
  }

  private static Counter skipped(MeterRegistry registry, String reason) {
    return Counter.builder(RECORDS_SKIPPED)
        .description("Validated events the aggregates cannot use, by reason")
        .tag("reason", reason)
        .register(registry);
  }

  private static Counter out(MeterRegistry registry, String output) {
    return Counter.builder(RECORDS_OUT)
        .description("Rows (and tombstones) written, by output")
        .tag("output", output)
        .register(registry);
  }
}
