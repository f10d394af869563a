package io.insighthub.workers.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.insighthub.crds.worker.PurgeReport;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.warehouse.ColumnType;
import io.insighthub.workers.warehouse.TableId;
import io.insighthub.workers.warehouse.Warehouse;
import io.insighthub.workers.warehouse.WarehouseLifecycle;
import io.insighthub.workers.warehouse.WarehouseLifecycle.AuditRow;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The evidence an auditor asks for about one Pipeline over a period, read from the warehouse: the
 * pii-purge runs and every purge and deletion they recorded in OPS.AUDIT (and any other audited
 * action, e.g. a DLQ replay), the oldest raw PII per layer as the last run before the period's end
 * left it, and counts of model runs, backfill chunks and quarantined rows. Names, times and counts
 * only: never a row's values.
 *
 * @param pipeline namespace/name
 * @param from start of the period, inclusive
 * @param to end of the period, exclusive
 * @param generatedAt when the report was made
 * @param rawPii the oldest raw PII per layer
 * @param purgeRuns the pii-purge runs recorded in the period
 * @param actions the audited actions in the period, per run, layer, action and outcome
 * @param evidence model runs, backfills and quarantines in the period
 * @param auditRows every OPS.AUDIT row of the period (JSON only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record AuditEvidence(
    String pipeline,
    Instant from,
    Instant to,
    Instant generatedAt,
    RawPii rawPii,
    List<PurgeRun> purgeRuns,
    List<Action> actions,
    List<Section> evidence,
    List<AuditRow> auditRows) {

  /** The outcome shown for a pii-purge run that recorded actions but no RUN row. */
  static final String UNFINISHED = "UNFINISHED";

  private static final Set<String> PURGE_ACTIONS =
      Set.of(
          WarehouseLifecycle.PURGE_PII,
          WarehouseLifecycle.NULL_PII,
          WarehouseLifecycle.DELETE_EXPIRED);

  /**
   * The oldest raw PII per layer, as a pii-purge run found it.
   *
   * @param runId the run; null when none was recorded before the period's end
   * @param asOf when it finished
   * @param note what the reader should know (no run, a run before the period)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record RawPii(String runId, Instant asOf, String note, List<LayerAge> layers) {}

  /**
   * One layer that may hold raw PII.
   *
   * @param oldest the oldest event time that may still hold raw PII there; null when none
   * @param ageDays how old that was when the run finished, in whole days
   * @param within whether that age is within the limit
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record LayerAge(
      String layer, String location, Instant oldest, Long ageDays, int limitDays, boolean within) {}

  /** One pii-purge run, from its RUN row. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record PurgeRun(
      String runId, Instant startedAt, Instant finishedAt, String outcome, String summary) {}

  /**
   * The audited actions of one run on one layer with one outcome.
   *
   * @param objects archive objects, tables or topic partitions acted on
   * @param rows rows or records affected
   * @param bytes bytes rewritten or deleted
   * @param from the oldest start of the time ranges acted on
   * @param to the newest end
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Action(
      String runId,
      String layer,
      String action,
      String outcome,
      long objects,
      long rows,
      long bytes,
      Instant from,
      Instant to) {}

  /**
   * Counts from one evidence table, per the values of its grouping columns.
   *
   * @param note why there are no groups (no such table, nothing in the period); null otherwise
   * @param columns the grouping columns, then what each group counts
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Section(
      String title,
      String table,
      String note,
      List<String> columns,
      String sumColumn,
      List<WarehouseLifecycle.Group> groups) {}

  /** Where an evidence section comes from, and how its rows are grouped. */
  private record Source(
      String title,
      TableId table,
      List<String> timeColumns,
      String filterColumn,
      List<String> values,
      List<String> groupBy,
      String sumColumn) {}

  static AuditEvidence collect(
      Warehouse warehouse, String namespace, String name, Instant from, Instant to, Instant now) {
    String pipeline = namespace + "/" + name;
    WarehouseLifecycle lifecycle = warehouse.lifecycle();
    List<AuditRow> rows = lifecycle.audit(pipeline, from, to);
    List<PurgeRun> runs = new ArrayList<>();
    Map<List<String>, Action> actions = new LinkedHashMap<>();
    for (AuditRow row : rows) {
      if (WarehouseLifecycle.RUN.equals(row.action())) {
        runs.add(
            new PurgeRun(
                row.runId(),
                row.from(),
                row.to(),
                row.outcome(),
                report(row).map(PurgeReport::message).orElse(null)));
        continue;
      }
      actions.merge(
          List.of(row.runId(), row.layer(), row.action(), row.outcome()),
          new Action(
              row.runId(),
              row.layer(),
              row.action(),
              row.outcome(),
              1,
              row.rows(),
              row.bytes(),
              row.from(),
              row.to()),
          AuditEvidence::add);
    }
    // A run killed midway (or still running) recorded its actions but no RUN row.
    Set<String> finished =
        runs.stream().map(PurgeRun::runId).collect(Collectors.toCollection(HashSet::new));
    for (AuditRow row : rows) {
      if (PURGE_ACTIONS.contains(row.action()) && finished.add(row.runId())) {
        runs.add(
            new PurgeRun(
                row.runId(),
                row.at(),
                null,
                UNFINISHED,
                "no RUN row: stopped before it finished; its actions are listed below and the"
                    + " next run completes them"));
      }
    }
    runs.sort(
        Comparator.comparing(PurgeRun::startedAt, Comparator.nullsLast(Comparator.naturalOrder())));
    List<Source> sources =
        List.of(
            new Source(
                "Model runs",
                new TableId("OPS", "RUNS"),
                List.of("STARTED_AT"),
                "PIPELINE",
                List.of(name, pipeline),
                List.of("MODEL", "STATUS"),
                "ROWS_WRITTEN"),
            new Source(
                "Backfill chunks",
                new TableId("OPS", "BACKFILL_CHUNKS"),
                List.of("STARTED_AT", "FINISHED_AT", "UPDATED_AT", "RECORDED_AT"),
                "PIPELINE",
                List.of(name, pipeline),
                List.of("BACKFILL", "STATUS"),
                "ROWS"),
            new Source(
                "Quarantined rows",
                new TableId("OPS", "QUARANTINE"),
                List.of("QUARANTINED_AT"),
                "CONSUMER",
                // Loaders name themselves <stage>.<namespace>.<pipeline>; namespaces have no dots.
                List.of("%." + namespace + "." + name),
                List.of("CONSUMER", "REASON"),
                null));
    List<Section> evidence = new ArrayList<>();
    for (Source source : sources) {
      evidence.add(section(warehouse, lifecycle, source, from, to));
    }
    return new AuditEvidence(
        pipeline,
        from,
        to,
        now,
        rawPii(lifecycle, pipeline, from, to),
        runs,
        List.copyOf(actions.values()),
        evidence,
        rows);
  }

  private static Action add(Action a, Action b) {
    return new Action(
        a.runId(),
        a.layer(),
        a.action(),
        a.outcome(),
        a.objects() + b.objects(),
        a.rows() + b.rows(),
        a.bytes() + b.bytes(),
        earlier(a.from(), b.from()),
        later(a.to(), b.to()));
  }

  private static RawPii rawPii(
      WarehouseLifecycle lifecycle, String pipeline, Instant from, Instant to) {
    Optional<AuditRow> run = lifecycle.latest(pipeline, WarehouseLifecycle.RUN, to);
    Optional<PurgeReport> report = run.flatMap(AuditEvidence::report);
    if (run.isEmpty() || report.isEmpty()) {
      return new RawPii(
          null,
          null,
          run.isEmpty()
              ? "no pii-purge run recorded before " + to
              : "the last pii-purge run before " + to + " recorded no report",
          List.of());
    }
    PurgeReport found = report.get();
    Instant asOf = found.finishedAt();
    List<LayerAge> layers = new ArrayList<>();
    for (PurgeReport.LayerAge age : found.rawPii()) {
      Long days = age.oldest() == null ? null : Duration.between(age.oldest(), asOf).toDays();
      boolean within =
          age.oldest() == null
              || !Duration.between(age.oldest(), asOf).minusDays(age.limitDays()).isPositive();
      layers.add(
          new LayerAge(age.layer(), age.location(), age.oldest(), days, age.limitDays(), within));
    }
    return new RawPii(
        found.runId(),
        asOf,
        asOf.isBefore(from)
            ? "the last pii-purge run before " + to + " finished before the period"
            : null,
        layers);
  }

  private static Section section(
      Warehouse warehouse, WarehouseLifecycle lifecycle, Source source, Instant from, Instant to) {
    Map<String, ColumnType> columns = warehouse.columns(source.table());
    if (columns.isEmpty()) {
      return new Section(
          source.title(),
          source.table().toString(),
          "none recorded: " + source.table() + " is not in this warehouse",
          List.of(),
          null,
          List.of());
    }
    String time =
        source.timeColumns().stream().filter(columns::containsKey).findFirst().orElse(null);
    if (time == null || !columns.containsKey(source.filterColumn())) {
      return new Section(
          source.title(),
          source.table().toString(),
          "not readable: "
              + source.table()
              + " has no "
              + (time == null ? String.join("/", source.timeColumns()) : source.filterColumn())
              + " column",
          List.of(),
          null,
          List.of());
    }
    List<String> groupBy = source.groupBy().stream().filter(columns::containsKey).toList();
    String sum =
        source.sumColumn() != null && columns.containsKey(source.sumColumn())
            ? source.sumColumn()
            : null;
    List<WarehouseLifecycle.Group> groups =
        lifecycle.groups(
            new WarehouseLifecycle.Selection(
                source.table(), time, from, to, source.filterColumn(), source.values()),
            groupBy,
            sum);
    return new Section(
        source.title(),
        source.table().toString(),
        groups.isEmpty() ? "none in the period" : null,
        groupBy,
        sum,
        groups);
  }

  /** The run's report, as pii-purge recorded it in the detail of its RUN row. */
  private static Optional<PurgeReport> report(AuditRow row) {
    if (row.detail() == null || !row.detail().startsWith("{")) {
      return Optional.empty();
    }
    try {
      return Optional.of(ConfigLoader.JSON.readValue(row.detail(), PurgeReport.class));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Instant earlier(Instant a, Instant b) {
    return a == null ? b : b == null || a.isBefore(b) ? a : b;
  }

  private static Instant later(Instant a, Instant b) {
    return a == null ? b : b == null || a.isAfter(b) ? a : b;
  }
}
