package io.insighthub.workers.purge;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.worker.Lifecycle;
import io.insighthub.crds.worker.PurgeReport;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.Subcommand;
import io.insighthub.workers.WorkerContext;
import io.insighthub.workers.files.archive.S3Store;
import io.insighthub.workers.warehouse.Warehouse;
import io.insighthub.workers.warehouse.WarehouseLifecycle;
import io.insighthub.workers.warehouse.WatermarkPublisher;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pii-purge} job of one Pipeline: raw PII minimized once it is {@code rawPurgeAfterDays}
 * old (archive objects rewritten with the Pipeline's rules, RAW rows' PII columns nulled), archive
 * objects and curated rows past their retention deleted, the Kafka topics holding raw PII verified
 * to delete it within the limit. Every change is an OPS.AUDIT row; the run's summary goes to the
 * watermark topic as a {@link PurgeReport}, which the operator shows as an Event and in {@code
 * PiiRetentionMet}. Safe to kill and rerun at any point; a rerun after a complete run changes
 * nothing (it records its own RUN row only).
 */
public final class PiiPurgeStage implements Subcommand {
  static final int EXIT_FAILED = 1;

  private static final Logger LOG = LoggerFactory.getLogger(PiiPurgeStage.class);
  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final Map<String, String> env;
  private final Clock clock;

  public PiiPurgeStage() {
    this(System.getenv(), Clock.systemUTC());
  }

  /** With {@code env} standing in for the process environment and {@code clock} for now. */
  public PiiPurgeStage(Map<String, String> env, Clock clock) {
    this.env = env;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "pii-purge";
  }

  @Override
  public String summary() {
    return "minimize raw PII past rawPurgeAfterDays, delete data past each layer's retention,"
        + " verify topic retention; every action in OPS.AUDIT";
  }

  @Override
  public List<String> checkConfig(WorkerConfig config) {
    List<String> problems = new ArrayList<>();
    settings(config, problems);
    return problems;
  }

  /** The PII rules, or null without PII; problems added for what is missing. */
  private static PiiRules settings(WorkerConfig config, List<String> problems) {
    if (config.lifecycle() == null) {
      problems.add(
          "config.lifecycle is missing: the operator renders it for a Pipeline with PII, an"
              + " archive or expiring tables; run a worker image that matches the operator");
      return null;
    }
    if (config.sink() == null || config.sink().connectionDir() == null) {
      problems.add(
          "config.sink.connectionDir is missing: OPS.AUDIT is in the warehouse; mount the"
              + " connection Secret");
    }
    var pii = config.pii();
    if (pii == null || pii.fields() == null || pii.fields().isEmpty()) {
      return null;
    }
    byte[] key = null;
    if (pii.fields().stream().anyMatch(f -> f.action == PiiField.Action.HASH)
        && config.lifecycle().archive() != null) {
      key = PiiRules.key(pii.hashKeyFile(), problems);
      if (key == null) {
        return null;
      }
    }
    return new PiiRules(
        pii.fields(), key, config.events() == null ? List.of() : config.events().keyFields);
  }

  @Override
  public int run(WorkerContext context) {
    WorkerConfig config = context.config();
    List<String> problems = new ArrayList<>();
    PiiRules rules = settings(config, problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(String.join("; ", problems));
    }
    Lifecycle lifecycle = config.lifecycle();
    Instant started = clock.instant();
    String runId =
        "purge-" + RUN_TIME.format(started) + "-" + UUID.randomUUID().toString().substring(0, 8);
    String pipeline = config.namespace() + "/" + config.pipeline();
    List<PurgeReport.ActionCount> actions = new ArrayList<>();
    List<PurgeReport.LayerAge> rawPii = new ArrayList<>();
    List<String> found = new ArrayList<>();
    boolean failed = false;
    LOG.info("pii-purge {} of {}", runId, pipeline);
    try (Warehouse warehouse = Warehouse.open(Path.of(config.sink().connectionDir()))) {
      WarehouseLifecycle ops = warehouse.lifecycle();
      ops.init();
      AuditTrail audit = new AuditTrail(ops, runId, pipeline, clock);
      context.health().ready();
      if (lifecycle.archive() != null) {
        try (S3Store store = S3Store.open(lifecycle.archive().bucket(), env)) {
          ArchivePurge.Result archive =
              new ArchivePurge(
                      store,
                      lifecycle.archive(),
                      lifecycle.purgeAfterDays() > 0 ? rules : null,
                      lifecycle.purgeAfterDays(),
                      audit,
                      clock)
                  .run();
          actions.add(
              new PurgeReport.ActionCount(
                  "archive",
                  WarehouseLifecycle.PURGE_PII,
                  archive.purgedObjects,
                  archive.purgedRecords,
                  archive.purgedBytes));
          actions.add(
              new PurgeReport.ActionCount(
                  "archive",
                  WarehouseLifecycle.DELETE_EXPIRED,
                  archive.deletedObjects,
                  0,
                  archive.deletedBytes));
          if (rules != null) {
            rawPii.add(
                new PurgeReport.LayerAge(
                    "archive",
                    lifecycle.archive().location(),
                    archive.oldestRawPii,
                    lifecycle.maxPiiDays()));
          }
          found.addAll(archive.problems);
          failed |= !archive.problems.isEmpty();
        } catch (RuntimeException e) {
          LOG.error("the archive could not be purged: {}", e.toString());
          found.add(
              "archive " + lifecycle.archive().location() + ": " + e.getClass().getSimpleName());
          failed = true;
        }
      }
      for (TablePurge.Change change :
          new TablePurge(audit, clock).run(lifecycle.tables(), rawPii)) {
        actions.add(
            new PurgeReport.ActionCount(
                change.table().layer(),
                change.table().action() == Lifecycle.TableAction.DELETE
                    ? WarehouseLifecycle.DELETE_EXPIRED
                    : WarehouseLifecycle.NULL_PII,
                change.rows() > 0 ? 1 : 0,
                change.rows(),
                0));
        if (change.problem() != null) {
          found.add(change.problem());
          failed = true;
        }
      }
      for (TopicCheck.Verified topic :
          TopicCheck.run(
              config.kafka().bootstrapServers(),
              lifecycle.piiTopics(),
              lifecycle.maxPiiDays(),
              clock.instant(),
              rawPii)) {
        if (topic.problem() != null) {
          found.add(topic.problem());
        }
      }
      Instant finished = clock.instant();
      PurgeReport report =
          new PurgeReport(
              config.namespace(),
              config.pipeline(),
              runId,
              started,
              finished,
              !failed,
              message(actions, found),
              actions,
              rawPii,
              found.subList(0, Math.min(found.size(), PurgeReport.MAX_PROBLEMS)));
      audit
          .warehouse()
          .record(
              new WarehouseLifecycle.AuditRow(
                  runId,
                  pipeline,
                  "run",
                  WarehouseLifecycle.RUN,
                  pipeline,
                  started,
                  finished,
                  actions.stream().mapToLong(PurgeReport.ActionCount::rows).sum(),
                  actions.stream().mapToLong(PurgeReport.ActionCount::bytes).sum(),
                  failed ? WarehouseLifecycle.FAILED : WarehouseLifecycle.COMPLETED,
                  ConfigLoader.JSON.writeValueAsString(report),
                  finished));
      try (WatermarkPublisher publisher =
          new WatermarkPublisher(
              config.kafka().bootstrapServers(),
              config.kafka().watermarks() != null
                  ? config.kafka().watermarks()
                  : WorkerConfig.WATERMARK_TOPIC)) {
        publisher.publishAndWait(report.key(), report);
      }
      LOG.info("pii-purge {} {}: {}", runId, failed ? "failed" : "done", report.message());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the purge report", e);
    }
    return failed ? EXIT_FAILED : 0;
  }

  /** One line: what changed, then what was found wrong. */
  static String message(List<PurgeReport.ActionCount> actions, List<String> problems) {
    List<String> parts = new ArrayList<>();
    for (PurgeReport.ActionCount a : actions) {
      if (a.rows() == 0 && a.items() == 0) {
        continue;
      }
      String what =
          switch (a.action()) {
            case WarehouseLifecycle.PURGE_PII ->
                "minimized PII in " + a.items() + " archive objects";
            case WarehouseLifecycle.NULL_PII ->
                "nulled PII in " + a.rows() + " " + a.layer() + " rows";
            default ->
                "deleted "
                    + (a.layer().equals("archive")
                        ? a.items() + " expired archive objects"
                        : a.rows() + " expired " + a.layer() + " rows");
          };
      parts.add(what + (a.bytes() > 0 ? " (" + human(a.bytes()) + ")" : ""));
    }
    String done = parts.isEmpty() ? "nothing to purge or expire" : String.join(", ", parts);
    return problems.isEmpty()
        ? done
        : done + "; " + problems.size() + " problem(s): " + problems.getFirst();
  }

  private static String human(long bytes) {
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024);
    }
    return String.format(Locale.ROOT, "%.1f GiB", bytes / 1024.0 / 1024 / 1024);
  }
}
