package io.insighthub.workers.warehouse;

import java.time.Instant;
import java.util.List;

/**
 * Rows for an event or aggregate table: appended when {@code key} is empty, otherwise merged on the
 * key (the newest batch's row replaces the stored one).
 *
 * @param table the target table
 * @param columns the columns, in value order
 * @param key key column names; empty to append
 * @param rows the values, aligned with columns, at most one per key
 * @param maxEventTime newest event time in the rows, for the watermark (may be null)
 * @param deletes key values (aligned with {@code key}) of rows to delete: a tombstone was the
 *     newest record of that key, e.g. a session merged into another one
 */
public record RowSet(
    TableId table,
    List<Column> columns,
    List<String> key,
    List<Object[]> rows,
    Instant maxEventTime,
    List<List<Object>> deletes) {
  public RowSet {
    columns = List.copyOf(columns);
    key = key.stream().map(Identifiers::normalize).toList();
    rows = List.copyOf(rows);
    deletes = List.copyOf(deletes);
    if (key.isEmpty() && !deletes.isEmpty()) {
      throw new IllegalArgumentException("deletes need a key: " + table);
    }
  }

  /** Rows to append or merge, without deletes. */
  public RowSet(
      TableId table, List<Column> columns, List<String> key, List<Object[]> rows, Instant time) {
    this(table, columns, key, rows, time, List.of());
  }
}
