package io.insighthub.workers.warehouse;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What pii-purge and audit-report need of the warehouse: rows expired or minimized by age, each
 * change recorded in {@code OPS.AUDIT} in the same transaction, and the evidence read back.
 */
public interface WarehouseLifecycle {
  /** The audit trail. */
  TableId AUDIT = new TableId("OPS", "AUDIT");

  /** Actions of pii-purge: PII minimized in archive objects. */
  String PURGE_PII = "PURGE_PII";

  /** PII columns of RAW rows set to null. */
  String NULL_PII = "NULL_PII";

  /** Archive objects or rows past their retention deleted. */
  String DELETE_EXPIRED = "DELETE_EXPIRED";

  /** One row per finished pii-purge run, its {@code PurgeReport} as JSON in the detail. */
  String RUN = "RUN";

  /** Outcomes. */
  String COMPLETED = "COMPLETED";

  String FAILED = "FAILED";

  /**
   * One action of a pii-purge run (or the run itself), as a row of {@code OPS.AUDIT}.
   *
   * @param runId the run that acted
   * @param pipeline namespace/name of the Pipeline
   * @param layer archive, raw, curated, kafka or run
   * @param action PURGE_PII, NULL_PII, DELETE_EXPIRED, RUN
   * @param object the archive object's key, the table or the topic
   * @param from the start of the time range acted on (the oldest event time), if known
   * @param to the end of the time range (the cutoff)
   * @param rows rows or records affected
   * @param bytes bytes rewritten or deleted
   * @param outcome COMPLETED or FAILED (with the reason in detail)
   * @param detail a short JSON or text detail, never a value
   * @param at when it was recorded
   */
  record AuditRow(
      String runId,
      String pipeline,
      String layer,
      String action,
      String object,
      Instant from,
      Instant to,
      long rows,
      long bytes,
      String outcome,
      String detail,
      Instant at) {
    /** This row with the count of rows the warehouse affected. */
    public AuditRow withRows(long affected) {
      return new AuditRow(
          runId, pipeline, layer, action, object, from, to, affected, bytes, outcome, detail, at);
    }
  }

  /** Creates {@code OPS.AUDIT} when missing. Idempotent. */
  void init();

  /**
   * Records {@code row} unless a row of the same action on the same object is there already (a
   * rerun after a kill redoing an object's action records it once). Returns whether it wrote.
   */
  boolean recordOnce(AuditRow row);

  /** Records {@code row}. */
  void record(AuditRow row);

  /**
   * Deletes the rows of {@code table} whose {@code timeColumn} is before {@code cutoff}, and
   * records {@code audit} with the count, in one transaction; no row is recorded when none was
   * deleted. Returns the rows deleted; 0 when the table or the column does not exist.
   */
  long deleteBefore(TableId table, String timeColumn, Instant cutoff, AuditRow audit);

  /**
   * Sets {@code columns} to null in the rows of {@code table} older than {@code cutoff} that still
   * hold a value in one of them, and records {@code audit} with the count, in one transaction.
   */
  long nullBefore(
      TableId table, List<String> columns, String timeColumn, Instant cutoff, AuditRow audit);

  /** The oldest {@code timeColumn} among rows still holding a value in one of {@code columns}. */
  Optional<Instant> oldestWith(TableId table, List<String> columns, String timeColumn);

  /** The audit rows of a Pipeline recorded in [from, to), oldest first. */
  List<AuditRow> audit(String pipeline, Instant from, Instant to);

  /**
   * The latest audit row of a Pipeline's {@code action} recorded before {@code before}, e.g. the
   * last pii-purge run an audit report's range ends after.
   */
  Optional<AuditRow> latest(String pipeline, String action, Instant before);

  /**
   * Which rows of an evidence table (OPS.RUNS, OPS.QUARANTINE, OPS.BACKFILL_CHUNKS) a report
   * covers: those in [from, to) by {@code timeColumn} whose {@code filterColumn} equals one of
   * {@code values} (a value holding {@code %} matches as LIKE).
   */
  record Selection(
      TableId table,
      String timeColumn,
      Instant from,
      Instant to,
      String filterColumn,
      List<String> values) {}

  /**
   * The selected rows of one distinct combination of the grouping columns.
   *
   * @param keys the grouping columns' values, as text
   * @param count rows
   * @param sum the sum of the summed column; 0 without one
   * @param first the oldest time of the rows
   * @param last the newest
   */
  record Group(List<String> keys, long count, long sum, Instant first, Instant last) {}

  /**
   * Counts the selected rows per distinct {@code groupBy} values, oldest group first, summing
   * {@code sumColumn} when given. The caller checks that the table and columns exist ({@link
   * Warehouse#columns}); only names and counts are read, never a row's other values.
   */
  List<Group> groups(Selection selection, List<String> groupBy, String sumColumn);
}
