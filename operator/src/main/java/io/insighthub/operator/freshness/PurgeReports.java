package io.insighthub.operator.freshness;

import io.insighthub.crds.worker.PurgeReport;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The latest pii-purge report of every Pipeline, as read from the watermark topic. */
public final class PurgeReports {
  private final Map<String, PurgeReport> byPipeline = new ConcurrentHashMap<>();

  /** Keeps {@code report} unless a later run of the same Pipeline is known; true if kept. */
  public boolean offer(PurgeReport report) {
    if (report.namespace() == null || report.pipeline() == null || report.finishedAt() == null) {
      return false;
    }
    PurgeReport kept =
        byPipeline.merge(
            report.key(),
            report,
            (old, next) -> next.finishedAt().isBefore(old.finishedAt()) ? old : next);
    return kept == report;
  }

  public Optional<PurgeReport> latest(String namespace, String pipeline) {
    return Optional.ofNullable(byPipeline.get(PurgeReport.key(namespace, pipeline)));
  }
}
