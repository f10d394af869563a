package io.insighthub.workers.load;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The load stage's meters. No per-table tags: a Pipeline's tables are few, but the names come from
 * user input and the stage's consumer lag already says which topic falls behind.
 */
final class LoadMetrics {
  static final String RECORDS = "insighthub.load.records";
  static final String ROWS = "insighthub.load.rows.applied";
  static final String QUARANTINED = "insighthub.load.records.quarantined";
  static final String BATCH = "insighthub.load.batch";

  /** Records consumed and committed (loaded or quarantined). */
  final Counter records;

  /** Rows written after collapsing repeated keys within a batch. */
  final Counter rows;

  final Counter quarantined;

  /** One warehouse transaction: parse, stage, merge, offsets, commit. */
  final Timer batch;

  LoadMetrics(MeterRegistry registry) {
    records = registry.counter(RECORDS);
    rows = registry.counter(ROWS);
    quarantined = registry.counter(QUARANTINED);
    batch = Timer.builder(BATCH).publishPercentiles(0.5, 0.99).register(registry);
  }
}
