package io.insighthub.workers.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.Subcommand;
import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.warehouse.Warehouse;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code worker audit-report --pipeline X --from T [--to T]}: prints, for an auditor, the evidence
 * of what happened to one Pipeline's data over a period (see {@link AuditEvidence}), as readable
 * tables or as JSON. Reads the warehouse only; changes nothing.
 */
public final class AuditReportStage implements Subcommand {
  private static final ObjectMapper JSON =
      ConfigLoader.JSON
          .copy()
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private final AuditReportOptions options = new AuditReportOptions();
  private final Clock clock;
  private final PrintStream stdout;

  public AuditReportStage() {
    this(Clock.systemUTC(), System.out);
  }

  AuditReportStage(Clock clock, PrintStream stdout) {
    this.clock = clock;
    this.stdout = stdout;
  }

  @Override
  public String name() {
    return "audit-report";
  }

  @Override
  public String summary() {
    return "print the evidence for an auditor: purges and deletions (OPS.AUDIT), the oldest raw"
        + " PII per layer, model runs, backfills and quarantines over a period";
  }

  @Override
  public Object options() {
    return options;
  }

  @Override
  public boolean printsResult() {
    return options.output == null;
  }

  @Override
  public List<String> checkConfig(WorkerConfig config) {
    List<String> problems = new ArrayList<>();
    if (config.sink() == null || config.sink().connectionDir() == null) {
      problems.add(
          "config.sink.connectionDir is missing: the evidence is in the warehouse; mount the"
              + " Pipeline's sink connection Secret");
    }
    if (options.pipeline != null
        && !options.pipeline.equals(config.pipeline())
        && !options.pipeline.equals(config.namespace() + "/" + config.pipeline())) {
      problems.add(
          "--pipeline "
              + options.pipeline
              + " is not the Pipeline of this configuration ("
              + config.namespace()
              + "/"
              + config.pipeline()
              + "): mount that Pipeline's worker ConfigMap");
    }
    Instant to = options.to != null ? options.to : clock.instant();
    if (options.from != null && !options.from.isBefore(to)) {
      problems.add("--from " + options.from + " must be before --to " + to);
    }
    return problems;
  }

  @Override
  public int run(WorkerContext context) throws IOException {
    WorkerConfig config = context.config();
    Instant now = clock.instant();
    Instant to = options.to != null ? options.to : now;
    AuditEvidence evidence;
    try (Warehouse warehouse = Warehouse.open(Path.of(config.sink().connectionDir()))) {
      context.health().ready();
      evidence =
          AuditEvidence.collect(
              warehouse, config.namespace(), config.pipeline(), options.from, to, now);
    }
    String report =
        options.format == AuditReportOptions.Format.json
            ? JSON.writeValueAsString(evidence) + "\n"
            : AuditReportText.render(evidence);
    if (options.output != null) {
      Files.writeString(options.output, report, StandardCharsets.UTF_8);
    } else {
      stdout.print(report);
      stdout.flush();
    }
    return 0;
  }
}
