package io.insighthub.workers.validate;

import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.rows.CompactEventReader;
import io.insighthub.workers.rows.PiiMinimizer;
import io.insighthub.workers.rows.RowSchema;
import java.util.ArrayList;
import java.util.List;

/**
 * Validate's compact reader built from a worker configuration the way the stage builds it, for
 * benchmarks outside this package. Not thread-safe: one per thread, as the reader.
 */
public final class CompactReaderHarness {
  private final CompactEventReader reader;

  public CompactReaderHarness(WorkerConfig config) {
    List<String> problems = new ArrayList<>();
    ValidateSettings settings = ValidateSettings.from(config, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    List<String> keys = settings.events().keyFields;
    this.reader =
        new CompactEventReader(
            new RowSchema(settings.events()),
            new PiiMinimizer(settings.piiFields(), settings.hmacKey()),
            keys == null ? List.of() : keys.stream().map(k -> k.split("\\.")).toList());
  }

  /**
   * Reads one event and returns a figure that depends on every part of the result (so none of it is
   * optimized away); throws when the event did not take the fast path.
   */
  public long read(byte[] value) {
    CompactEventReader.Candidate event = reader.read(value);
    if (event == null) {
      throw new IllegalStateException("an event left the compact path");
    }
    return event.eventTimeMillis()
        + event.eventId().length()
        + event.undeclared().size()
        + (event.key() == null ? 0 : event.key().length)
        + event.minimized().length
        + event.minimized()[event.minimized().length / 2];
  }
}
