package io.insighthub.workers.validate;

import io.insighthub.workers.rows.JsonRows;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports each undeclared field passed under the {@code evolve} policy once per process: a log line
 * naming the field (never its value) and a count. Remembers a bounded number of names.
 */
final class DriftReporter {
  static final int MAX_REMEMBERED = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(DriftReporter.class);

  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final ValidateMetrics metrics;

  DriftReporter(ValidateMetrics metrics) {
    this.metrics = metrics;
  }

  /** Returns true when {@code field} was not reported before. */
  boolean report(String field) {
    if (seen.size() >= MAX_REMEMBERED || seen.contains(field) || !seen.add(field)) {
      return false;
    }
    metrics.driftFields.increment();
    LOG.info(
        "schema drift: undeclared field '{}' passed to the validated topic (policy evolve)",
        JsonRows.printable(field));
    if (seen.size() == MAX_REMEMBERED) {
      LOG.warn("schema drift: {} new fields reported; further ones are not", MAX_REMEMBERED);
    }
    return true;
  }
}
