package io.insighthub.workers.load;

import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.SinkSpec;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.WorkerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The load stage's configuration for tests and benchmarks: topics under a prefix, DuckDB. */
final class LoadConfigs {
  private LoadConfigs() {}

  /**
   * Loads {@code <prefix>.validated} (event time {@code occurred_at}) into {@code VALIDATED.EVENTS}
   * of the DuckDB file {@code warehouse}, watermarks to {@code <prefix>.watermarks}; the sink
   * Secret's directory is written under {@code dir}.
   */
  static WorkerConfig events(
      String bootstrap, String prefix, Path dir, Path warehouse, List<QualityCheck> checks)
      throws IOException {
    return events(bootstrap, prefix, dir, warehouse, checks, SinkSpec.Mode.MERGE);
  }

  /** As above, with the sink's {@code mode}. */
  static WorkerConfig events(
      String bootstrap,
      String prefix,
      Path dir,
      Path warehouse,
      List<QualityCheck> checks,
      SinkSpec.Mode mode)
      throws IOException {
    Path secret = Files.createDirectories(dir.resolve("sink"));
    Files.writeString(secret.resolve("url"), "jdbc:duckdb:" + warehouse.toAbsolutePath());
    EventsSource events = new EventsSource();
    events.eventTimeField = "occurred_at";
    return new WorkerConfig(
        WorkerConfig.CURRENT_VERSION,
        "it",
        prefix,
        new WorkerConfig.Kafka(
            bootstrap,
            prefix + ".raw",
            prefix + ".validated",
            prefix + ".dlq",
            prefix + ".late",
            prefix + ".watermarks"),
        events,
        null,
        null,
        null,
        List.of(),
        new WorkerConfig.Sink(
            secret.toAbsolutePath().toString(), "ANALYTICS", null, "EVENTS", mode),
        checks.isEmpty()
            ? null
            : new WorkerConfig.Quality(
                null, "1h", "10m", checks.stream().map(QualityCheck::rule).toList(), checks),
        null);
  }
}
