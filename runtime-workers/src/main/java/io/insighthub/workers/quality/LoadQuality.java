package io.insighthub.workers.quality;

import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import io.insighthub.workers.streams.Durations;
import io.insighthub.workers.warehouse.BatchResult;
import io.insighthub.workers.warehouse.Column;
import io.insighthub.workers.warehouse.Identifiers;
import io.insighthub.workers.warehouse.RowSet;
import io.insighthub.workers.warehouse.TableId;
import io.insighthub.workers.warehouse.Warehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The table-bound checks a loader evaluates where the data is: {@code nullSpike} on every loaded
 * batch, {@code volume} when its interval closes. A check applies to the table its rule names, or
 * to the events table when the rule names none; a rule naming a table this loader does not write is
 * another loader's. Violations are reported (alert semantics): the batch is already committed.
 */
public final class LoadQuality {
  private static final Logger LOG = LoggerFactory.getLogger(LoadQuality.class);

  private record NullSpikeState(QualityCheck check, TableId table, RollingBaseline baseline) {}

  private final List<NullSpikeState> nullSpikes = new ArrayList<>();
  private final Map<TableId, List<VolumeWindow>> volumes = new LinkedHashMap<>();

  /**
   * @param tables the tables this loader writes
   * @param eventsTable the table unbound checks apply to (VALIDATED.&lt;events&gt;), or null
   */
  public LoadQuality(
      List<QualityCheck> checks, List<TableId> tables, TableId eventsTable, Instant startedAt) {
    this(checks, tables, eventsTable, startedAt, (table, field) -> new Warehouse.NullCount(0, 0));
  }

  /**
   * @param history counts a table's rows and nulls in a field: the baseline of a factor check
   *     starts from what the table already holds, as if loaded at start, so a restart does not
   *     forget it (it ages out of the window like any batch)
   */
  public LoadQuality(
      List<QualityCheck> checks,
      List<TableId> tables,
      TableId eventsTable,
      Instant startedAt,
      BiFunction<TableId, String, Warehouse.NullCount> history) {
    String events = eventsTable == null ? null : eventsTable.toString();
    for (QualityCheck check : checks) {
      for (TableId table : tables) {
        if (!check.appliesTo(table.toString(), events)) {
          continue;
        }
        switch (check.kind()) {
          case NULL_SPIKE -> {
            if (check.nullSpike().field.contains(".")) {
              LOG.warn(
                  "QualityRule {}: nullSpike on nested field {} is not evaluated by the loader",
                  check.rule(),
                  check.nullSpike().field);
            } else {
              RollingBaseline baseline =
                  new RollingBaseline(baselineWindow(check.nullSpike().baselineWindow));
              if (check.nullSpike().maxFactor != null) {
                Warehouse.NullCount held = history.apply(table, check.nullSpike().field);
                if (held.rows() > 0) {
                  baseline.add(held.rows(), held.nulls(), startedAt);
                }
              }
              nullSpikes.add(new NullSpikeState(check, table, baseline));
            }
          }
          case VOLUME ->
              volumes
                  .computeIfAbsent(table, t -> new ArrayList<>())
                  .add(
                      new VolumeWindow(
                          check,
                          table.toString(),
                          Durations.parse(check.volume().interval, "volume.interval"),
                          startedAt));
          default -> {
            // schemaDrift, duplicates, lateArrival: evaluated by validate, which routes them.
          }
        }
      }
    }
  }

  /** Whether any check applies to this loader's tables. */
  public boolean isEmpty() {
    return nullSpikes.isEmpty() && volumes.isEmpty();
  }

  /** Volume intervals that closed by {@code now}; call before {@link #loaded} for the same now. */
  public List<QualityResult> advance(Instant now) {
    List<QualityResult> results = new ArrayList<>();
    volumes.values().stream()
        .flatMap(List::stream)
        .forEach(
            window -> {
              QualityResult result = window.advance(now);
              if (result != null) {
                results.add(result);
              }
            });
    return results;
  }

  /**
   * Evaluates a committed batch: the null ratio of each watched field in its table's rows (each
   * key's newest row), and counts its applied rows towards the volume intervals.
   */
  public Map<TableId, List<QualityResult>> loaded(
      List<RowSet> rowSets, Map<TableId, BatchResult.TableResult> applied, Instant now) {
    Map<TableId, List<QualityResult>> results = new LinkedHashMap<>();
    for (RowSet rows : rowSets) {
      for (NullSpikeState state : nullSpikes) {
        if (!state.table().equals(rows.table())) {
          continue;
        }
        long nulls = nulls(rows, state.check().nullSpike().field);
        long count = rows.rows().size();
        QualityResult result =
            NullSpike.evaluate(
                state.check(),
                rows.table().toString(),
                count,
                nulls,
                state.baseline().ratio(now),
                now);
        if (result != null) {
          results.computeIfAbsent(rows.table(), t -> new ArrayList<>()).add(result);
        }
        // A failing batch stays out of the baseline, so a spike does not raise its own bar.
        if (result == null || result.passed()) {
          state.baseline().add(count, nulls, now);
        }
      }
    }
    applied.forEach(
        (table, result) ->
            volumes.getOrDefault(table, List.of()).forEach(w -> w.add(result.applied())));
    return results;
  }

  /** The baseline window: whole hours or days (24h, 7d), as the CRD's pattern allows. */
  static Duration baselineWindow(String text) {
    String value = text == null ? "7d" : text.strip();
    if (value.endsWith("d")) {
      try {
        return Duration.ofDays(Long.parseLong(value.substring(0, value.length() - 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "nullSpike.baselineWindow must be whole hours or days such as 24h or 7d, got '"
                + text
                + "'");
      }
    }
    return Durations.parse(value, "nullSpike.baselineWindow");
  }

  /** Rows whose {@code field} is null, or all of them when the batch has no such column. */
  static long nulls(RowSet rows, String field) {
    String column = Identifiers.normalize(field);
    List<Column> columns = rows.columns();
    int index = -1;
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        index = i;
      }
    }
    if (index < 0) {
      return rows.rows().size();
    }
    long nulls = 0;
    for (Object[] row : rows.rows()) {
      if (row[index] == null) {
        nulls++;
      }
    }
    return nulls;
  }
}
