package io.insighthub.workers.warehouse;

import java.util.List;

/**
 * Everything one warehouse transaction writes: the data, the quarantined records and the consumed
 * offsets, so that data and offsets can never disagree.
 *
 * @param consumer whose offsets these are (one loader's consumer group)
 * @param offsets the next offset to read per partition once the batch is stored
 * @param from the first offset of the batch per partition: the batch is refused, before anything is
 *     written, if the stored offset of one of these partitions is already past it (a replay, or
 *     another loader got there first). Empty to skip the check, where applying a batch twice is
 *     harmless (the position-guarded CDC MERGE).
 */
public record Batch(
    String consumer,
    List<ChangeSet> changes,
    List<RowSet> rows,
    List<QuarantinedRecord> quarantined,
    List<SourceOffset> offsets,
    List<SourceOffset> from) {
  public Batch {
    changes = List.copyOf(changes);
    rows = List.copyOf(rows);
    quarantined = List.copyOf(quarantined);
    offsets = List.copyOf(offsets);
    from = List.copyOf(from);
  }

  /** A batch applied whatever the stored offsets. */
  public Batch(
      String consumer,
      List<ChangeSet> changes,
      List<RowSet> rows,
      List<QuarantinedRecord> quarantined,
      List<SourceOffset> offsets) {
    this(consumer, changes, rows, quarantined, offsets, List.of());
  }
}
