package io.insighthub.workers.purge;

import io.insighthub.crds.worker.Lifecycle;
import io.insighthub.crds.worker.PurgeReport;
import io.insighthub.workers.warehouse.TableId;
import io.insighthub.workers.warehouse.WarehouseLifecycle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * pii-purge's work in the warehouse: the PII columns of raw rows past the purge age nulled, and
 * curated rows past the layer's retention deleted, each table's change and its OPS.AUDIT row in one
 * transaction (a rerun finds nothing left to change and records nothing).
 */
final class TablePurge {
  /** What the run did to one table. */
  record Change(Lifecycle.Table table, long rows, String problem) {}

  private final AuditTrail audit;
  private final Clock clock;

  TablePurge(AuditTrail audit, Clock clock) {
    this.audit = audit;
    this.clock = clock;
  }

  List<Change> run(List<Lifecycle.Table> tables, List<PurgeReport.LayerAge> rawPii) {
    List<Change> changes = new ArrayList<>();
    for (Lifecycle.Table table : tables) {
      Instant cutoff = clock.instant().minus(Duration.ofDays(table.afterDays()));
      TableId id = TableId.parse(table.table());
      try {
        long rows =
            switch (table.action()) {
              case DELETE ->
                  audit
                      .warehouse()
                      .deleteBefore(
                          id,
                          table.timeColumn(),
                          cutoff,
                          audit.row(
                              table.layer(),
                              WarehouseLifecycle.DELETE_EXPIRED,
                              table.table(),
                              null,
                              cutoff,
                              0,
                              0,
                              "{\"retentionDays\":" + table.afterDays() + "}"));
              case NULL_PII ->
                  audit
                      .warehouse()
                      .nullBefore(
                          id,
                          table.columns(),
                          table.timeColumn(),
                          cutoff,
                          audit.row(
                              table.layer(),
                              WarehouseLifecycle.NULL_PII,
                              table.table(),
                              null,
                              cutoff,
                              0,
                              0,
                              "{\"columns\":" + table.columns().size() + "}"));
            };
        if (table.action() == Lifecycle.TableAction.NULL_PII) {
          Instant oldest =
              audit.warehouse().oldestWith(id, table.columns(), table.timeColumn()).orElse(null);
          rawPii.add(
              new PurgeReport.LayerAge(
                  table.layer(), table.table(), oldest, Lifecycle.MAX_PII_DAYS));
        }
        changes.add(new Change(table, rows, null));
      } catch (RuntimeException e) {
        changes.add(new Change(table, 0, table.table() + ": " + e.getClass().getSimpleName()));
      }
    }
    return changes;
  }
}
