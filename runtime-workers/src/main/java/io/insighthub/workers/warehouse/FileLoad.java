package io.insighthub.workers.warehouse;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The one warehouse transaction of one file: its rows are staged as they are read (bounded memory
 * whatever the file's size), then merged or appended into the table together with its manifest row
 * and its quarantined rows at {@link #commit}. Closing without a commit rolls everything back, as
 * does a crash at any point: the file is then loaded whole by a later run, or not at all. Not
 * thread-safe: one thread stages and commits.
 */
public interface FileLoad extends AutoCloseable {
  /** Lineage columns of every table a batch loader writes: the file and line of each row. */
  List<Column> LINEAGE =
      List.of(
          new Column("_SOURCE_FILE", ColumnType.VARCHAR),
          new Column("_SOURCE_LINE", ColumnType.BIGINT),
          new Column("_LOADED_AT", ColumnType.TIMESTAMPTZ));

  /**
   * Where a file's rows go.
   *
   * @param consumer the loader, as recorded in the manifest (one per Pipeline)
   * @param table the target table, created or widened at the start
   * @param columns the data columns, in the order rows are given
   * @param key the merge key (the last row of a key in the file wins); empty to append
   * @param file the file's address ({@code s3://bucket/key}), its rows' lineage
   */
  record Target(
      String consumer, TableId table, List<Column> columns, List<String> key, String file) {
    public Target {
      columns = List.copyOf(columns);
      key = key.stream().map(Identifiers::normalize).toList();
    }
  }

  /**
   * Rows whose key another file already loaded within {@code window} (a file re-delivered under a
   * new name): counted, and quarantined instead of loaded when {@code quarantine}.
   */
  record CrossFileDuplicates(List<String> key, Duration window, boolean quarantine) {
    public CrossFileDuplicates {
      key = key.stream().map(Identifiers::normalize).toList();
    }
  }

  /**
   * How the staged file commits.
   *
   * @param file its manifest row (rows and counts are filled in by the commit)
   * @param replacePrevious delete the rows an earlier version of the same file loaded first (the
   *     reload of a re-delivered file)
   * @param duplicates the cross-file duplicate check, or null
   * @param maxRows refuse the commit (nothing written) when more rows than this remain; and
   * @param minRows refuse it when fewer remain (a quality check with action halt or quarantine);
   *     checked after duplicates are removed, -1 for no bound
   */
  record Commit(
      StoredFile file,
      boolean replacePrevious,
      CrossFileDuplicates duplicates,
      long minRows,
      long maxRows) {
    /** A commit with no row bounds. */
    public Commit(StoredFile file, boolean replacePrevious, CrossFileDuplicates duplicates) {
      this(file, replacePrevious, duplicates, -1, -1);
    }
  }

  /**
   * What a commit did.
   *
   * @param committed false when the row bounds refused it (nothing written, the load rolled back)
   * @param rows rows written to the table
   * @param duplicates rows dropped for a later row of the same key in the file
   * @param crossFileDuplicates rows whose key another file loaded within the window
   * @param quarantined rows quarantined (the rows added with {@link #quarantine} plus the
   *     quarantined cross-file duplicates)
   * @param replaced rows of an earlier version of the file deleted first
   * @param committedAt when the transaction committed
   */
  record Result(
      boolean committed,
      long rows,
      long duplicates,
      long crossFileDuplicates,
      long quarantined,
      long replaced,
      Instant committedAt) {}

  /** The data columns so far, with the types the table has. */
  List<Column> columns();

  /**
   * Adds nullable columns (to the table and the stage), for drift under the evolve policy; returns
   * {@link #columns()} afterwards. Rows added later carry them at the end.
   */
  List<Column> addColumns(List<Column> more);

  /** Stages one row, its values aligned with {@link #columns()}; {@code line} is its lineage. */
  void add(Object[] values, long line);

  /** Keeps one row of the file in OPS.QUARANTINE when the file commits. */
  void quarantine(FileQuarantine row);

  /** Rows staged so far. */
  long staged();

  /** Rows quarantined so far. */
  long quarantined();

  /** Writes the staged rows, the quarantined rows and the manifest row in one transaction. */
  Result commit(Commit commit);

  /** Rolls back unless committed. */
  @Override
  void close();
}
