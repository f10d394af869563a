package io.insighthub.workers.archive;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The archive stage's meters; no label carries a key, value or object name. */
final class ArchiveMetrics {
  static final String RECORDS = "insighthub.archive.records";
  static final String OBJECTS = "insighthub.archive.objects";
  static final String BYTES = "insighthub.archive.bytes";
  static final String EXISTING = "insighthub.archive.objects.existing";
  static final String UNTIMED = "insighthub.archive.records.untimed";
  static final String LOST = "insighthub.archive.records.lost";
  static final String FLUSH = "insighthub.archive.flush";

  final Counter records;
  final Counter objects;
  final Counter bytes;
  final Counter existing;
  final Counter untimed;
  final Counter lost;
  final Timer flush;

  ArchiveMetrics(MeterRegistry registry) {
    records =
        Counter.builder(RECORDS)
            .description("Raw records in objects written and committed")
            .register(registry);
    objects = Counter.builder(OBJECTS).description("Archive objects written").register(registry);
    bytes =
        Counter.builder(BYTES)
            .description("Compressed bytes of the archive objects written")
            .baseUnit("bytes")
            .register(registry);
    existing =
        Counter.builder(EXISTING)
            .description(
                "Objects a retried range found already written with the same records (after a"
                    + " crash or a rebalance)")
            .register(registry);
    untimed =
        Counter.builder(UNTIMED)
            .description("Records without a usable event time, archived under untimed/")
            .register(registry);
    lost =
        Counter.builder(LOST)
            .description("Records the broker deleted (raw retention) before they were archived")
            .register(registry);
    flush =
        Timer.builder(FLUSH)
            .description("Writing one partition's range: its objects and both commits")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }
}
