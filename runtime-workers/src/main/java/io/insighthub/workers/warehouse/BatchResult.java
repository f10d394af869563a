package io.insighthub.workers.warehouse;

import java.util.Map;

/** What a committed batch did per table: rows offered and rows that changed the table. */
public record BatchResult(Map<TableId, TableResult> tables) {
  /**
   * @param offered rows (or collapsed changes) in the batch
   * @param applied rows inserted, updated or deleted; offered minus applied were older than the
   *     stored rows (redelivered) and ignored
   */
  public record TableResult(long offered, long applied) {
    public long ignored() {
      return offered - applied;
    }

    public TableResult plus(TableResult other) {
      return new TableResult(offered + other.offered, applied + other.applied);
    }
  }
}
