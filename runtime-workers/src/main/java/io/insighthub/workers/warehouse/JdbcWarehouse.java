package io.insighthub.workers.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Warehouse} over one JDBC connection, with the SQL both dialects share; subclasses say
 * how rows reach a stage table and how values are bound.
 */
public abstract class JdbcWarehouse implements Warehouse {
  static final List<Column> OFFSETS_COLUMNS =
      List.of(
          new Column("CONSUMER", ColumnType.VARCHAR),
          new Column("TOPIC", ColumnType.VARCHAR),
          new Column("KAFKA_PARTITION", ColumnType.BIGINT),
          new Column("NEXT_OFFSET", ColumnType.BIGINT),
          new Column("UPDATED_AT", ColumnType.TIMESTAMPTZ));
  static final List<Column> QUARANTINE_COLUMNS =
      List.of(
          new Column("CONSUMER", ColumnType.VARCHAR),
          new Column("TOPIC", ColumnType.VARCHAR),
          new Column("KAFKA_PARTITION", ColumnType.BIGINT),
          new Column("KAFKA_OFFSET", ColumnType.BIGINT),
          new Column("RECORD_KEY", ColumnType.VARCHAR),
          new Column("RECORD_VALUE", ColumnType.VARCHAR),
          new Column("REASON", ColumnType.VARCHAR),
          new Column("QUARANTINED_AT", ColumnType.TIMESTAMPTZ));
  static final List<Column> LOADS_COLUMNS =
      List.of(
          new Column("CONSUMER", ColumnType.VARCHAR),
          new Column("TABLE_NAME", ColumnType.VARCHAR),
          new Column("OFFERED", ColumnType.BIGINT),
          new Column("APPLIED", ColumnType.BIGINT),
          new Column("LOADED_AT", ColumnType.TIMESTAMPTZ));

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(JdbcWarehouse.class);

  /** A batch slower than this logs where its time went. */
  private static final long SLOW_BATCH_NANOS = 5_000_000_000L;

  protected final Connection connection;
  private long stagingNanos;
  private final Map<TableId, Map<String, ColumnType>> tables = new ConcurrentHashMap<>();
  private int stages;

  JdbcWarehouse(Connection connection) {
    this.connection = connection;
  }

  /** The name of the n-th stage table of a transaction (a temporary table). */
  abstract String stageName(int n);

  /** Rows per {@code executeBatch} of {@link #stage}. */
  int bindBatchRows() {
    return 10_000;
  }

  /** Writes {@code rows} into the empty stage table {@code stage}. */
  void stage(String stage, List<Column> columns, List<Object[]> rows) throws SQLException {
    try (StageWriter writer = stageWriter(stage, columns)) {
      for (Object[] row : rows) {
        writer.add(row);
      }
    }
  }

  /** Rows written into a stage table as they come; closing it writes what is pending. */
  interface StageWriter extends AutoCloseable {
    void add(Object[] row) throws SQLException;

    @Override
    void close() throws SQLException;
  }

  /** A writer of the stage table {@code stage}, in batched binds of {@link #bindBatchRows()}. */
  StageWriter stageWriter(String stage, List<Column> columns) throws SQLException {
    PreparedStatement insert = connection.prepareStatement(WarehouseSql.insert(stage, columns));
    return new StageWriter() {
      private int pending;

      @Override
      public void add(Object[] row) throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
          bindStaged(insert, i + 1, row[i], columns.get(i).type());
        }
        insert.addBatch();
        if (++pending == bindBatchRows()) {
          insert.executeBatch();
          pending = 0;
        }
      }

      @Override
      public void close() throws SQLException {
        try {
          if (pending > 0) {
            insert.executeBatch();
            pending = 0;
          }
        } finally {
          insert.close();
        }
      }
    };
  }

  /** Binds one value of a stage row in a batch of binds; by default as {@link #bind} does. */
  void bindStaged(PreparedStatement statement, int index, Object value, ColumnType type)
      throws SQLException {
    bind(statement, index, value, type);
  }

  /** Binds one value of a column of type {@code type}. */
  void bind(PreparedStatement statement, int index, Object value, ColumnType type)
      throws SQLException {
    statement.setObject(index, value);
  }

  @Override
  public synchronized void init() {
    try (Statement statement = connection.createStatement()) {
      for (String schema : SCHEMAS) {
        statement.execute(WarehouseSql.createSchema(schema));
      }
      statement.execute(WarehouseSql.createTable(WarehouseSql.OFFSETS, OFFSETS_COLUMNS));
      statement.execute(WarehouseSql.createTable(WarehouseSql.QUARANTINE, QUARANTINE_COLUMNS));
      statement.execute(WarehouseSql.createTable(WarehouseSql.LOADS, LOADS_COLUMNS));
      statement.execute(WarehouseSql.createTable(FileSql.FILE_MANIFEST, FileSql.MANIFEST_COLUMNS));
    } catch (SQLException e) {
      throw new WarehouseException("cannot create the warehouse schemas and OPS tables", e);
    }
    // Quarantined rows of files say where they were; tables created before gain the columns.
    Map<String, ColumnType> quarantine = columns(WarehouseSql.QUARANTINE);
    if (!quarantine
        .keySet()
        .containsAll(FileSql.QUARANTINE_FILE_COLUMNS.stream().map(Column::name).toList())) {
      List<Column> all = new ArrayList<>(QUARANTINE_COLUMNS);
      all.addAll(FileSql.QUARANTINE_FILE_COLUMNS);
      ensureTable(WarehouseSql.QUARANTINE, all, List.of());
    }
  }

  @Override
  public synchronized FileLoad beginFile(FileLoad.Target target) {
    return new JdbcFileLoad(this, target);
  }

  @Override
  public synchronized List<StoredFile> storedFiles(String consumer, String bucket, String prefix) {
    List<StoredFile> files = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement(FileSql.manifestQuery())) {
      query.setString(1, consumer);
      query.setString(2, bucket);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          String key = rows.getString(2);
          if (!key.startsWith(prefix)) {
            continue;
          }
          files.add(
              new StoredFile(
                  rows.getString(1),
                  key,
                  rows.getString(3),
                  rows.getLong(4),
                  instant(rows.getObject(5)),
                  rows.getString(6),
                  StoredFile.Status.valueOf(rows.getString(7)),
                  rows.getLong(8),
                  rows.getLong(9),
                  rows.getLong(10),
                  rows.getString(11),
                  instant(rows.getObject(12))));
        }
      }
    } catch (SQLException e) {
      throw new WarehouseException("cannot read OPS.FILE_MANIFEST for " + consumer, e);
    }
    return files;
  }

  @Override
  public synchronized void recordFile(
      String consumer, StoredFile file, List<FileQuarantine> quarantined) {
    try {
      connection.setAutoCommit(false);
      if (isRecorded(consumer, file)) {
        connection.rollback();
        return;
      }
      try (PreparedStatement insert = connection.prepareStatement(FileSql.insertQuarantine())) {
        for (FileQuarantine row : quarantined) {
          insert.setString(1, consumer);
          insert.setString(2, row.file());
          bind(insert, 3, row.line(), ColumnType.BIGINT);
          bind(insert, 4, row.rowGroup(), ColumnType.BIGINT);
          bind(insert, 5, row.field(), ColumnType.VARCHAR);
          insert.setString(6, row.reason());
          insert.executeUpdate();
        }
      }
      insertManifest(consumer, file);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw new WarehouseException("cannot record " + file.key() + " in OPS.FILE_MANIFEST", e);
    } finally {
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the next statement fails clearly if the connection is gone
      }
    }
  }

  /** Whether this version of the file is in the manifest already (read in the caller's txn). */
  synchronized boolean isRecorded(String consumer, StoredFile file) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(FileSql.versionLoaded())) {
      query.setString(1, consumer);
      query.setString(2, file.bucket());
      query.setString(3, file.key());
      query.setString(4, file.etag());
      query.setLong(5, file.size());
      try (ResultSet count = query.executeQuery()) {
        count.next();
        return count.getLong(1) > 0;
      }
    }
  }

  synchronized void insertManifest(String consumer, StoredFile file) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(FileSql.insertManifest())) {
      Object[] values = {
        consumer,
        file.bucket(),
        file.key(),
        file.etag(),
        file.size(),
        offset(file.lastModified()),
        file.table(),
        file.status().name(),
        file.rows(),
        file.rowsQuarantined(),
        file.duplicates(),
        file.reason(),
        offset(file.loadedAt() != null ? file.loadedAt() : Instant.now())
      };
      for (int i = 0; i < values.length; i++) {
        bind(insert, i + 1, values[i], FileSql.MANIFEST_COLUMNS.get(i).type());
      }
      insert.executeUpdate();
    }
  }

  @Override
  public synchronized Optional<Instant> maxTime(TableId table, String column) {
    if (!columns(table).containsKey(Identifiers.normalize(column))) {
      return Optional.empty();
    }
    try (PreparedStatement query =
            connection.prepareStatement(FileSql.maxOf(table, Identifiers.normalize(column)));
        ResultSet max = query.executeQuery()) {
      max.next();
      return Optional.ofNullable(instant(max.getObject(1)));
    } catch (SQLException e) {
      throw new WarehouseException("cannot read the newest time of " + table, e);
    }
  }

  private static java.time.OffsetDateTime offset(Instant instant) {
    return instant == null ? null : instant.atOffset(java.time.ZoneOffset.UTC);
  }

  /** A timestamp as either driver returns it. */
  static Instant instant(Object value) {
    return switch (value) {
      case null -> null;
      case java.time.OffsetDateTime t -> t.toInstant();
      case java.sql.Timestamp t -> t.toInstant();
      case java.time.LocalDateTime t -> t.toInstant(java.time.ZoneOffset.UTC);
      case Object other -> java.time.OffsetDateTime.parse(other.toString()).toInstant();
    };
  }

  @Override
  public WarehouseLifecycle lifecycle() {
    return new JdbcLifecycle(this);
  }

  @Override
  public synchronized Map<String, ColumnType> columns(TableId table) {
    Map<String, ColumnType> known = tables.get(table);
    if (known != null) {
      return known;
    }
    Map<String, ColumnType> columns = new LinkedHashMap<>();
    try (PreparedStatement query = connection.prepareStatement(WarehouseSql.columnsQuery())) {
      query.setString(1, table.schema());
      query.setString(2, table.table());
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          int scale = rows.getInt(3);
          columns.put(
              rows.getString(1).toUpperCase(java.util.Locale.ROOT),
              ColumnType.parse(rows.getString(2), rows.wasNull() ? null : scale));
        }
      }
    } catch (SQLException e) {
      throw new WarehouseException("cannot read the columns of " + table, e);
    }
    if (!columns.isEmpty()) {
      tables.put(table, Map.copyOf(columns));
    }
    return columns;
  }

  @Override
  public synchronized Map<String, ColumnType> ensureTable(
      TableId table, List<Column> columns, List<String> key) {
    Map<String, ColumnType> existing = columns(table);
    try (Statement statement = connection.createStatement()) {
      if (existing.isEmpty()) {
        statement.execute(WarehouseSql.createTable(table, columns));
      } else {
        for (Column column : columns) {
          if (!existing.containsKey(column.name())) {
            statement.execute(WarehouseSql.addColumn(table, column));
          }
        }
      }
    } catch (SQLException e) {
      throw new WarehouseException("cannot create or evolve " + table, e);
    }
    tables.remove(table);
    return columns(table);
  }

  @Override
  public Map<String, ColumnType> ensureCdcTable(
      TableId table, List<Column> columns, List<String> key) {
    List<Column> all = new ArrayList<>(columns);
    all.addAll(WarehouseSql.CDC_COLUMNS);
    Map<String, ColumnType> existing = columns(table);
    if (!existing.isEmpty() && all.stream().allMatch(c -> existing.containsKey(c.name()))) {
      return existing;
    }
    return ensureTable(table, all, key);
  }

  @Override
  public synchronized java.util.Optional<Map<String, Object>> row(
      TableId table, List<String> key, List<Object> keyValues, List<String> columns) {
    String sql =
        "SELECT "
            + String.join(", ", columns.stream().map(Identifiers::quote).toList())
            + " FROM "
            + table.sql()
            + " WHERE "
            + String.join(" AND ", key.stream().map(k -> Identifiers.quote(k) + " = ?").toList());
    try (PreparedStatement query = connection.prepareStatement(sql)) {
      Map<String, ColumnType> types = columns(table);
      for (int i = 0; i < keyValues.size(); i++) {
        bind(query, i + 1, keyValues.get(i), types.getOrDefault(key.get(i), ColumnType.VARCHAR));
      }
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          return java.util.Optional.empty();
        }
        Map<String, Object> row = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
          row.put(columns.get(i), rows.getObject(i + 1));
        }
        return java.util.Optional.of(row);
      }
    } catch (SQLException e) {
      throw new WarehouseException("cannot read a row of " + table, e);
    }
  }

  @Override
  public synchronized NullCount nullCount(TableId table, String column) {
    Map<String, ColumnType> types = columns(table);
    if (types.isEmpty()) {
      return new NullCount(0, 0);
    }
    String name = Identifiers.normalize(column);
    String sql =
        "SELECT COUNT(*), "
            + (types.containsKey(name) ? "COUNT(" + Identifiers.quote(name) + ")" : "0")
            + " FROM "
            + table.sql();
    try (PreparedStatement query = connection.prepareStatement(sql);
        ResultSet counts = query.executeQuery()) {
      counts.next();
      long rows = counts.getLong(1);
      return new NullCount(rows, rows - counts.getLong(2));
    } catch (SQLException e) {
      throw new WarehouseException("cannot count the nulls of a column of " + table, e);
    }
  }

  @Override
  public synchronized Optional<Instant> maxSourceTime(TableId table) {
    if (!columns(table).containsKey("_SOURCE_TS")) {
      return Optional.empty();
    }
    try (PreparedStatement query =
            connection.prepareStatement("SELECT MAX(\"_SOURCE_TS\") FROM " + table.sql());
        ResultSet max = query.executeQuery()) {
      max.next();
      return Optional.ofNullable(instant(max.getObject(1)));
    } catch (SQLException e) {
      throw new WarehouseException("cannot read the newest source time of " + table, e);
    }
  }

  @Override
  public synchronized List<SourceOffset> offsets(String consumer) {
    List<SourceOffset> offsets = new ArrayList<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT \"TOPIC\", \"KAFKA_PARTITION\", \"NEXT_OFFSET\" FROM "
                + WarehouseSql.OFFSETS.sql()
                + " WHERE \"CONSUMER\" = ? ORDER BY 1, 2")) {
      query.setString(1, consumer);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          offsets.add(new SourceOffset(rows.getString(1), rows.getInt(2), rows.getLong(3)));
        }
      }
    } catch (SQLException e) {
      throw new WarehouseException("cannot read the offsets of " + consumer, e);
    }
    return offsets;
  }

  @Override
  public synchronized BatchResult apply(Batch batch) {
    stages = 0;
    stagingNanos = 0;
    Map<TableId, BatchResult.TableResult> results = new LinkedHashMap<>();
    try {
      long started = System.nanoTime();
      connection.setAutoCommit(false);
      refuseIfLoaded(batch);
      Map<TableId, Long> tableMillis = new LinkedHashMap<>();
      for (ChangeSet changes : batch.changes()) {
        long at = System.nanoTime();
        results.merge(changes.table(), applyChanges(changes), BatchResult.TableResult::plus);
        tableMillis.merge(changes.table(), (System.nanoTime() - at) / 1_000_000, Long::sum);
      }
      for (RowSet rows : batch.rows()) {
        long at = System.nanoTime();
        results.merge(rows.table(), applyRows(rows), BatchResult.TableResult::plus);
        tableMillis.merge(rows.table(), (System.nanoTime() - at) / 1_000_000, Long::sum);
      }
      long data = System.nanoTime();
      quarantine(batch.consumer(), batch.quarantined());
      storeOffsets(batch.consumer(), batch.offsets());
      logLoads(batch.consumer(), results);
      long bookkeeping = System.nanoTime();
      connection.commit();
      long committed = System.nanoTime();
      if (committed - started > SLOW_BATCH_NANOS || LOG.isDebugEnabled()) {
        String timing =
            String.format(
                "batch of %d tables: data %d ms (staging %d ms; per table %s), offsets and log %d"
                    + " ms, commit %d ms",
                results.size(),
                (data - started) / 1_000_000,
                stagingNanos / 1_000_000,
                tableMillis,
                (bookkeeping - data) / 1_000_000,
                (committed - bookkeeping) / 1_000_000);
        if (committed - started > SLOW_BATCH_NANOS) {
          LOG.warn("slow {}", timing);
        } else {
          LOG.debug(timing);
        }
      }
      return new BatchResult(results);
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw new WarehouseException("batch rolled back: " + e.getMessage(), e);
    } finally {
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the next batch fails clearly if the connection is gone
      }
    }
  }

  private BatchResult.TableResult applyChanges(ChangeSet set) throws SQLException {
    if (set.changes().isEmpty()) {
      return new BatchResult.TableResult(0, 0);
    }
    List<Column> stageColumns = new ArrayList<>(set.columns());
    stageColumns.addAll(WarehouseSql.CDC_STAGE_COLUMNS);
    Set<String> toast = new LinkedHashSet<>();
    List<Object[]> rows = new ArrayList<>(set.changes().size());
    int width = set.columns().size();
    for (ChangeSet.Change change : set.changes()) {
      Object[] row = new Object[stageColumns.size()];
      System.arraycopy(change.values(), 0, row, 0, Math.min(width, change.values().length));
      row[width] = change.delete() ? "d" : "u";
      if (!change.unchanged().isEmpty()) {
        toast.addAll(change.unchanged());
        StringBuilder unchanged = new StringBuilder("|");
        change.unchanged().forEach(c -> unchanged.append(c).append('|'));
        row[width + 1] = unchanged.toString();
      }
      row[width + 2] = change.position().lsn();
      row[width + 3] = change.position().txOrder();
      row[width + 4] = change.position().kafkaOffset();
      row[width + 5] =
          change.sourceTime() == null
              ? null
              : change.sourceTime().atOffset(java.time.ZoneOffset.UTC);
      rows.add(row);
    }
    long staging = System.nanoTime();
    String stage = createStage(stageColumns);
    stage(stage, stageColumns, rows);
    stagingNanos += System.nanoTime() - staging;
    if (!toast.isEmpty()) {
      try (PreparedStatement keep =
          connection.prepareStatement(
              WarehouseSql.keepUnchanged(set.table(), stage, set.key(), toast))) {
        int i = 1;
        for (String column : toast) {
          keep.setString(i++, "|" + column + "|");
        }
        keep.executeUpdate();
      }
    }
    int applied = applyStage(set, stage);
    dropStage(stage);
    return new BatchResult.TableResult(rows.size(), applied);
  }

  /**
   * Applies the staged changes of {@code set} (TOAST placeholders already resolved) with the
   * position guard; returns the rows inserted, updated or deleted. One {@link
   * WarehouseSql#cdcMerge} here.
   */
  int applyStage(ChangeSet set, String stage) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      return statement.executeUpdate(
          WarehouseSql.cdcMerge(set.table(), stage, set.columns(), set.key(), set.softDeletes()));
    }
  }

  private BatchResult.TableResult applyRows(RowSet set) throws SQLException {
    int deleted = applyDeletes(set);
    if (set.rows().isEmpty()) {
      return new BatchResult.TableResult(set.deletes().size(), deleted);
    }
    long staging = System.nanoTime();
    String stage = createStage(set.columns());
    stage(stage, set.columns(), set.rows());
    stagingNanos += System.nanoTime() - staging;
    String sql =
        set.key().isEmpty()
            ? WarehouseSql.append(set.table(), stage, set.columns())
            : WarehouseSql.upsert(set.table(), stage, set.columns(), set.key());
    int applied;
    try (Statement statement = connection.createStatement()) {
      applied = statement.executeUpdate(sql);
    }
    dropStage(stage);
    return new BatchResult.TableResult(set.rows().size() + set.deletes().size(), applied + deleted);
  }

  /** Deletes the rows whose newest record was a tombstone; the keys never overlap the upserts. */
  private int applyDeletes(RowSet set) throws SQLException {
    if (set.deletes().isEmpty()) {
      return 0;
    }
    List<Column> keyColumns =
        set.key().stream()
            .map(
                k ->
                    set.columns().stream()
                        .filter(c -> c.name().equals(k))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("no key column " + k)))
            .toList();
    String stage = createStage(keyColumns);
    stage(stage, keyColumns, set.deletes().stream().map(List::toArray).toList());
    int deleted;
    try (Statement statement = connection.createStatement()) {
      deleted = statement.executeUpdate(WarehouseSql.deleteMatching(set.table(), stage, set.key()));
    }
    dropStage(stage);
    return deleted;
  }

  private String createStage(List<Column> columns) throws SQLException {
    String stage = stageName(++stages);
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + stage);
      statement.execute(WarehouseSql.createTempTable(stage, columns));
    }
    return stage;
  }

  private void dropStage(String stage) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + stage);
    }
  }

  private void quarantine(String consumer, List<QuarantinedRecord> records) throws SQLException {
    if (records.isEmpty()) {
      return;
    }
    // Inserted once per record: a redelivered bad record is not quarantined twice.
    String sql =
        "MERGE INTO "
            + WarehouseSql.QUARANTINE.sql()
            + " t USING (SELECT CAST(? AS VARCHAR) AS \"CONSUMER\", CAST(? AS VARCHAR) AS \"TOPIC\","
            + " CAST(? AS BIGINT) AS \"KAFKA_PARTITION\", CAST(? AS BIGINT) AS \"KAFKA_OFFSET\","
            + " CAST(? AS VARCHAR) AS \"RECORD_KEY\", CAST(? AS VARCHAR) AS \"RECORD_VALUE\","
            + " CAST(? AS VARCHAR) AS \"REASON\") s ON t.\"CONSUMER\" = s.\"CONSUMER\" AND"
            + " t.\"TOPIC\" = s.\"TOPIC\" AND t.\"KAFKA_PARTITION\" = s.\"KAFKA_PARTITION\" AND"
            + " t.\"KAFKA_OFFSET\" = s.\"KAFKA_OFFSET\" WHEN NOT MATCHED THEN INSERT ("
            + WarehouseSql.names(QUARANTINE_COLUMNS, "")
            + ") VALUES (s.\"CONSUMER\", s.\"TOPIC\", s.\"KAFKA_PARTITION\", s.\"KAFKA_OFFSET\","
            + " s.\"RECORD_KEY\", s.\"RECORD_VALUE\", s.\"REASON\", CURRENT_TIMESTAMP)";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (QuarantinedRecord record : records) {
        statement.setString(1, consumer);
        statement.setString(2, record.topic());
        statement.setLong(3, record.partition());
        statement.setLong(4, record.offset());
        statement.setString(5, record.key());
        statement.setString(6, record.value());
        statement.setString(7, record.reason());
        statement.executeUpdate();
      }
    }
  }

  /**
   * Refuses a batch that starts before a stored offset: its records, or some of them, are already
   * in the warehouse (a replay, or another loader of the same consumer got there first). Read in
   * the batch's transaction, so appended rows are never stored twice.
   */
  private void refuseIfLoaded(Batch batch) {
    if (batch.from().isEmpty()) {
      return;
    }
    Map<String, Long> stored = new HashMap<>();
    for (SourceOffset offset : offsets(batch.consumer())) {
      stored.put(offset.topic() + "/" + offset.partition(), offset.nextOffset());
    }
    for (SourceOffset first : batch.from()) {
      Long next = stored.get(first.topic() + "/" + first.partition());
      if (next != null && first.nextOffset() < next) {
        throw new WarehouseException(
            "records of "
                + first.topic()
                + "-"
                + first.partition()
                + " from offset "
                + first.nextOffset()
                + " are already loaded (stored next offset "
                + next
                + " for "
                + batch.consumer()
                + "): a replay or a second loader; restart the loader to resume at the stored"
                + " offset",
            null);
      }
    }
  }

  private void storeOffsets(String consumer, List<SourceOffset> offsets) throws SQLException {
    String sql =
        "MERGE INTO "
            + WarehouseSql.OFFSETS.sql()
            + " t USING (SELECT CAST(? AS VARCHAR) AS \"CONSUMER\", CAST(? AS VARCHAR) AS \"TOPIC\","
            + " CAST(? AS BIGINT) AS \"KAFKA_PARTITION\", CAST(? AS BIGINT) AS \"NEXT_OFFSET\") s"
            + " ON t.\"CONSUMER\" = s.\"CONSUMER\" AND t.\"TOPIC\" = s.\"TOPIC\" AND"
            + " t.\"KAFKA_PARTITION\" = s.\"KAFKA_PARTITION\" WHEN MATCHED THEN UPDATE SET"
            + " \"NEXT_OFFSET\" = s.\"NEXT_OFFSET\", \"UPDATED_AT\" = CURRENT_TIMESTAMP WHEN NOT"
            + " MATCHED THEN INSERT ("
            + WarehouseSql.names(OFFSETS_COLUMNS, "")
            + ") VALUES (s.\"CONSUMER\", s.\"TOPIC\", s.\"KAFKA_PARTITION\", s.\"NEXT_OFFSET\","
            + " CURRENT_TIMESTAMP)";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (SourceOffset offset : offsets) {
        statement.setString(1, consumer);
        statement.setString(2, offset.topic());
        statement.setLong(3, offset.partition());
        statement.setLong(4, offset.nextOffset());
        statement.executeUpdate();
      }
    }
  }

  private void logLoads(String consumer, Map<TableId, BatchResult.TableResult> results)
      throws SQLException {
    if (results.isEmpty()) {
      return;
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO "
                + WarehouseSql.LOADS.sql()
                + " ("
                + WarehouseSql.names(LOADS_COLUMNS, "")
                + ") VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
      for (var entry : results.entrySet()) {
        statement.setString(1, consumer);
        statement.setString(2, entry.getKey().toString());
        statement.setLong(3, entry.getValue().offered());
        statement.setLong(4, entry.getValue().applied());
        statement.executeUpdate();
      }
    }
  }

  /** Runs a query and returns its rows as column-name maps (tests and tools). */
  public synchronized List<Map<String, Object>> query(String sql, Object... parameters) {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        List<Map<String, Object>> result = new ArrayList<>();
        int width = rows.getMetaData().getColumnCount();
        while (rows.next()) {
          Map<String, Object> row = new HashMap<>();
          for (int i = 1; i <= width; i++) {
            row.put(
                rows.getMetaData().getColumnLabel(i).toUpperCase(java.util.Locale.ROOT),
                rows.getObject(i));
          }
          result.add(row);
        }
        return result;
      }
    } catch (SQLException e) {
      throw new WarehouseException("query failed: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new WarehouseException("cannot close the warehouse connection", e);
    }
  }
}
