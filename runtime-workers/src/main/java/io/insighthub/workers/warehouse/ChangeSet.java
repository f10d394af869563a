package io.insighthub.workers.warehouse;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The collapsed changes of one batch for one CDC table: at most one change per primary key, each
 * applied only when its position is newer than the row's stored one.
 *
 * @param table the target table
 * @param columns the data columns the changes carry (keys included), in value order
 * @param key the primary-key column names
 * @param softDeletes keep deleted rows with {@code _DELETED = TRUE} instead of removing them
 * @param changes one per key
 */
public record ChangeSet(
    TableId table,
    List<Column> columns,
    List<String> key,
    boolean softDeletes,
    List<Change> changes) {

  public ChangeSet {
    columns = List.copyOf(columns);
    key = key.stream().map(Identifiers::normalize).toList();
    changes = List.copyOf(changes);
  }

  /**
   * One row's newest change.
   *
   * @param delete the row was deleted at {@code position}
   * @param values the row after the change (for a delete, at least the key), aligned with columns
   * @param unchanged columns whose value Debezium did not send (unchanged TOAST): keep the stored
   *     value
   * @param position where the change sits in the source
   * @param sourceTime commit time in the source
   */
  public record Change(
      boolean delete,
      Object[] values,
      Set<String> unchanged,
      Position position,
      Instant sourceTime) {}
}
