package io.insighthub.workers.validate;

import io.insighthub.crds.worker.WorkerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Validate's own per-event work on the benchmark's events, for a run of {@code WorkersBenchmark} on
 * its hand-written transactional loop instead of Kafka Streams: the compact reader (schema checks,
 * PII hash/drop/mask, the minimized bytes and key), the Bloom filter and an in-memory map of ids as
 * the dedup authority. Not a stage: no DLQ or late routing (every benchmark event is accepted), no
 * lineage headers and no fault-tolerant dedup state, so it shows what validate's work costs without
 * Kafka Streams and without its dedup store, not what a complete stage would do.
 */
public final class ValidateWithoutStreams implements UnaryOperator<byte[]> {
  private final CompactEventReader reader;
  private final SeenIdFilter filter;
  private final Map<String, Long> seen = new HashMap<>();
  private long accepted;
  private long duplicates;

  public ValidateWithoutStreams(WorkerConfig config) {
    List<String> problems = new java.util.ArrayList<>();
    ValidateSettings settings = ValidateSettings.from(config, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    EventSchema schema = new EventSchema(settings.events());
    List<String> keys = settings.events().keyFields;
    this.reader =
        new CompactEventReader(
            schema,
            new PiiMinimizer(settings.piiFields(), settings.hmacKey()),
            keys == null ? List.of() : keys.stream().map(k -> k.split("\\.")).toList());
    this.filter = new SeenIdFilter(settings.dedupWindow().toMillis());
  }

  @Override
  public byte[] apply(byte[] value) {
    CompactEventReader.Candidate event = reader.read(value);
    if (event == null) {
      throw new IllegalStateException("the benchmark's events take the compact path");
    }
    if (filter.mightContain(event.eventId(), event.eventTimeMillis())
        && seen.containsKey(event.eventId())) {
      duplicates++;
      return event.minimized();
    }
    filter.add(event.eventId(), event.eventTimeMillis());
    seen.put(event.eventId(), event.eventTimeMillis());
    accepted++;
    return event.minimized();
  }

  @Override
  public String toString() {
    return accepted + " accepted, " + duplicates + " duplicates";
  }
}
