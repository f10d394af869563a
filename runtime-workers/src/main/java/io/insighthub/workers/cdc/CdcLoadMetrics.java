package io.insighthub.workers.cdc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The cdc-load stage's meters; no per-table tags, the table count is unbounded. */
final class CdcLoadMetrics {
  static final String RECORDS = "insighthub.cdc.load.records";
  static final String APPLIED = "insighthub.cdc.load.rows.applied";
  static final String IGNORED = "insighthub.cdc.load.changes.ignored";
  static final String QUARANTINED = "insighthub.cdc.load.records.quarantined";
  static final String BATCH = "insighthub.cdc.load.batch";

  final Counter records;
  final Counter applied;
  final Counter ignored;
  final Counter quarantined;
  final Timer batch;

  CdcLoadMetrics(MeterRegistry registry) {
    records = registry.counter(RECORDS);
    applied = registry.counter(APPLIED);
    ignored = registry.counter(IGNORED);
    quarantined = registry.counter(QUARANTINED);
    batch = Timer.builder(BATCH).publishPercentiles(0.5, 0.99).register(registry);
  }
}
