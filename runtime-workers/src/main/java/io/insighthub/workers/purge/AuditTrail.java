package io.insighthub.workers.purge;

import io.insighthub.workers.warehouse.WarehouseLifecycle;
import io.insighthub.workers.warehouse.WarehouseLifecycle.AuditRow;
import java.time.Clock;
import java.time.Instant;

/** The OPS.AUDIT rows of one pii-purge run: who (the run), which Pipeline, and when. */
final class AuditTrail {
  private final WarehouseLifecycle warehouse;
  private final String runId;
  private final String pipeline;
  private final Clock clock;

  AuditTrail(WarehouseLifecycle warehouse, String runId, String pipeline, Clock clock) {
    this.warehouse = warehouse;
    this.runId = runId;
    this.pipeline = pipeline;
    this.clock = clock;
  }

  String runId() {
    return runId;
  }

  WarehouseLifecycle warehouse() {
    return warehouse;
  }

  /** A row of this run, to be completed with the rows affected by the warehouse. */
  AuditRow row(
      String layer,
      String action,
      String object,
      Instant from,
      Instant to,
      long rows,
      long bytes,
      String detail) {
    return new AuditRow(
        runId,
        pipeline,
        layer,
        action,
        object,
        from,
        to,
        rows,
        bytes,
        WarehouseLifecycle.COMPLETED,
        detail,
        clock.instant());
  }

  /** Records an action on an object once, however often a rerun redoes it. */
  void once(
      String layer,
      String action,
      String object,
      Instant from,
      Instant to,
      long rows,
      long bytes,
      String detail) {
    warehouse.recordOnce(row(layer, action, object, from, to, rows, bytes, detail));
  }
}
