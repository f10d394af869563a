package io.insighthub.workers.warehouse;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link FileLoad} over a JDBC warehouse. Rows are staged in temporary tables outside any
 * transaction (DDL and the long read stay out of it, as Snowflake commits an open transaction on
 * DDL); the commit then runs only DML in one transaction: the earlier version's rows deleted, the
 * stage merged or appended, the quarantined rows and the manifest row inserted.
 */
final class JdbcFileLoad implements FileLoad {
  private static final String STAGE = "\"FILE_STAGE\"";
  private static final String QUARANTINE_STAGE = "\"FILE_QUARANTINE_STAGE\"";

  private final JdbcWarehouse warehouse;
  private final Target target;
  private final OffsetDateTime loadedAt;
  private List<Column> columns;

  /** How many data columns the stage had when created: added ones follow the lineage. */
  private final int first;

  /** The stage's columns in table order: the data columns, the lineage, then added columns. */
  private final List<Column> stageColumns = new ArrayList<>();

  private JdbcWarehouse.StageWriter rows;
  private JdbcWarehouse.StageWriter quarantine;
  private long staged;
  private long quarantined;

  JdbcFileLoad(JdbcWarehouse warehouse, Target target) {
    this.warehouse = warehouse;
    this.target = target;
    this.loadedAt = Instant.now().atOffset(ZoneOffset.UTC);
    try {
      this.columns = typed(target.columns());
      this.first = columns.size();
      stageColumns.addAll(columns);
      stageColumns.addAll(LINEAGE);
      try (Statement statement = warehouse.connection.createStatement()) {
        for (String stage : List.of(STAGE, QUARANTINE_STAGE)) {
          statement.execute("DROP TABLE IF EXISTS " + stage);
        }
        statement.execute(WarehouseSql.createTempTable(STAGE, stageColumns));
        statement.execute(
            WarehouseSql.createTempTable(QUARANTINE_STAGE, FileSql.QUARANTINE_STAGE_COLUMNS));
      }
      rows = warehouse.stageWriter(STAGE, stageColumns);
      quarantine = warehouse.stageWriter(QUARANTINE_STAGE, FileSql.QUARANTINE_STAGE_COLUMNS);
    } catch (SQLException e) {
      closeQuietly();
      throw new WarehouseException("cannot stage a file for " + target.table(), e);
    }
  }

  /** Creates or widens the target; the columns with the types the table has. */
  private List<Column> typed(List<Column> wanted) {
    List<Column> all = new ArrayList<>(wanted);
    all.addAll(LINEAGE);
    Map<String, ColumnType> actual = warehouse.ensureTable(target.table(), all, target.key());
    return wanted.stream()
        .map(c -> new Column(c.name(), actual.getOrDefault(c.name(), c.type())))
        .toList();
  }

  @Override
  public List<Column> columns() {
    return columns;
  }

  @Override
  public List<Column> addColumns(List<Column> more) {
    List<Column> added =
        more.stream()
            .filter(c -> columns.stream().noneMatch(k -> k.name().equals(c.name())))
            .toList();
    if (added.isEmpty()) {
      return columns;
    }
    List<Column> wanted = new ArrayList<>(columns);
    wanted.addAll(added);
    synchronized (warehouse) {
      try {
        rows.close();
        columns = typed(wanted);
        try (Statement statement = warehouse.connection.createStatement()) {
          for (Column column : columns.subList(columns.size() - added.size(), columns.size())) {
            statement.execute(
                "ALTER TABLE " + STAGE + " ADD COLUMN " + column.sql() + " " + column.type().sql());
            stageColumns.add(column);
          }
        }
        rows = warehouse.stageWriter(STAGE, stageColumns);
      } catch (SQLException e) {
        throw new WarehouseException("cannot add columns to the stage of " + target.table(), e);
      }
    }
    return columns;
  }

  @Override
  public void add(Object[] values, long line) {
    int data = first;
    Object[] row = new Object[stageColumns.size()];
    // Stage order: the first columns, the lineage, then the columns added since.
    System.arraycopy(values, 0, row, 0, Math.min(data, values.length));
    row[data] = target.file();
    row[data + 1] = line;
    row[data + 2] = loadedAt;
    if (values.length > data) {
      System.arraycopy(values, data, row, data + 3, values.length - data);
    }
    try {
      rows.add(row);
    } catch (SQLException e) {
      throw new WarehouseException("cannot stage a row of " + target.file(), e);
    }
    staged++;
  }

  @Override
  public void quarantine(FileQuarantine row) {
    try {
      quarantine.add(
          new Object[] {row.file(), row.line(), row.rowGroup(), row.field(), row.reason()});
    } catch (SQLException e) {
      throw new WarehouseException("cannot stage a quarantined row of " + target.file(), e);
    }
    quarantined++;
  }

  @Override
  public long staged() {
    return staged;
  }

  @Override
  public long quarantined() {
    return quarantined;
  }

  @Override
  public Result commit(Commit commit) {
    synchronized (warehouse) {
      var connection = warehouse.connection;
      try {
        rows.close();
        quarantine.close();
        long duplicates = 0;
        if (!target.key().isEmpty()) {
          try (Statement statement = connection.createStatement()) {
            duplicates =
                statement.executeUpdate(FileSql.dropEarlierRowsOfAKey(STAGE, target.key()));
          }
        }
        connection.setAutoCommit(false);
        StoredFile file = commit.file();
        if (warehouse.isRecorded(target.consumer(), file)) {
          throw new WarehouseException(
              target.file()
                  + " (ETag "
                  + file.etag()
                  + ") is already in OPS.FILE_MANIFEST: another run loaded it",
              null);
        }
        long crossFile = 0;
        long crossFileQuarantined = 0;
        if (commit.duplicates() != null) {
          crossFile = crossFile(commit.duplicates());
          if (commit.duplicates().quarantine() && crossFile > 0) {
            crossFileQuarantined = quarantineCrossFile(commit.duplicates());
          }
        }
        long remaining = count(FileSql.countStaged(STAGE));
        if ((commit.minRows() >= 0 && remaining < commit.minRows())
            || (commit.maxRows() >= 0 && remaining > commit.maxRows())) {
          connection.rollback();
          return new Result(false, remaining, duplicates, crossFile, 0, 0, null);
        }
        long replaced = 0;
        if (commit.replacePrevious()) {
          try (PreparedStatement delete =
              connection.prepareStatement(FileSql.deleteRowsOfFile(target.table()))) {
            delete.setString(1, target.file());
            replaced = delete.executeUpdate();
          }
        }
        try (Statement statement = connection.createStatement()) {
          statement.executeUpdate(
              target.key().isEmpty()
                  ? WarehouseSql.append(target.table(), STAGE, stageColumns)
                  : WarehouseSql.upsert(target.table(), STAGE, stageColumns, target.key()));
        }
        try (PreparedStatement insert =
            connection.prepareStatement(FileSql.quarantineFromStage(QUARANTINE_STAGE))) {
          insert.setString(1, target.consumer());
          insert.executeUpdate();
        }
        long quarantinedRows = quarantined + crossFileQuarantined;
        Instant now = Instant.now();
        warehouse.insertManifest(
            target.consumer(),
            new StoredFile(
                file.bucket(),
                file.key(),
                file.etag(),
                file.size(),
                file.lastModified(),
                target.table().toString(),
                file.status(),
                remaining,
                quarantinedRows,
                duplicates,
                file.reason(),
                now));
        connection.commit();
        return new Result(true, remaining, duplicates, crossFile, quarantinedRows, replaced, now);
      } catch (SQLException | RuntimeException e) {
        try {
          connection.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        if (e instanceof WarehouseException w) {
          throw w;
        }
        throw new WarehouseException(
            "the load of " + target.file() + " rolled back: " + e.getMessage(), e);
      } finally {
        try {
          connection.setAutoCommit(true);
        } catch (SQLException ignored) {
          // the next statement fails clearly if the connection is gone
        }
      }
    }
  }

  private long crossFile(CrossFileDuplicates check) throws SQLException {
    try (PreparedStatement count =
        warehouse.connection.prepareStatement(
            FileSql.countCrossFile(target.table(), STAGE, check.key()))) {
      count.setString(1, target.file());
      warehouse.bind(count, 2, windowStart(check), ColumnType.TIMESTAMPTZ);
      try (ResultSet result = count.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    }
  }

  private long quarantineCrossFile(CrossFileDuplicates check) throws SQLException {
    long moved;
    try (PreparedStatement insert =
        warehouse.connection.prepareStatement(
            FileSql.quarantineCrossFile(target.table(), STAGE, QUARANTINE_STAGE, check.key()))) {
      insert.setString(1, target.file());
      insert.setString(2, target.file());
      warehouse.bind(insert, 3, windowStart(check), ColumnType.TIMESTAMPTZ);
      moved = insert.executeUpdate();
    }
    try (PreparedStatement delete =
        warehouse.connection.prepareStatement(
            FileSql.dropCrossFile(target.table(), STAGE, check.key()))) {
      delete.setString(1, target.file());
      warehouse.bind(delete, 2, windowStart(check), ColumnType.TIMESTAMPTZ);
      delete.executeUpdate();
    }
    return moved;
  }

  private OffsetDateTime windowStart(CrossFileDuplicates check) {
    return loadedAt.minus(check.window());
  }

  private long count(String sql) throws SQLException {
    try (Statement statement = warehouse.connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  @Override
  public void close() {
    synchronized (warehouse) {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    for (JdbcWarehouse.StageWriter writer : java.util.Arrays.asList(rows, quarantine)) {
      if (writer != null) {
        try {
          writer.close();
        } catch (SQLException | RuntimeException ignored) {
          // dropping the stage below is what matters
        }
      }
    }
    try (Statement statement = warehouse.connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + STAGE);
      statement.execute("DROP TABLE IF EXISTS " + QUARANTINE_STAGE);
    } catch (SQLException ignored) {
      // temporary tables go with the session anyway
    }
  }
}
