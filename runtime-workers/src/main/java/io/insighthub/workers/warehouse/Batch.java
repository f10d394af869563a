package io.insighthub.workers.warehouse;

import java.util.List;

/**
 * Everything one warehouse transaction writes: the data, the quarantined records and the consumed
 * offsets, so that data and offsets can never disagree.
 *
 * @param consumer whose offsets these are (one loader's consumer group)
 */
public record Batch(
    String consumer,
    List<ChangeSet> changes,
    List<RowSet> rows,
    List<QuarantinedRecord> quarantined,
    List<SourceOffset> offsets) {
  public Batch {
    changes = List.copyOf(changes);
    rows = List.copyOf(rows);
    quarantined = List.copyOf(quarantined);
    offsets = List.copyOf(offsets);
  }
}
