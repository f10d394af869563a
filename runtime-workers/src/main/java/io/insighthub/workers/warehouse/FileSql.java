package io.insighthub.workers.warehouse;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL of file loads, written once for DuckDB and Snowflake: the manifest, the quarantine of
 * file rows, and what a file's commit runs on its stage. Identifiers quoted, values bound.
 */
final class FileSql {
  static final TableId FILE_MANIFEST = new TableId("OPS", "FILE_MANIFEST");

  static final List<Column> MANIFEST_COLUMNS =
      List.of(
          new Column("CONSUMER", ColumnType.VARCHAR),
          new Column("BUCKET", ColumnType.VARCHAR),
          new Column("OBJECT_KEY", ColumnType.VARCHAR),
          new Column("ETAG", ColumnType.VARCHAR),
          new Column("SIZE_BYTES", ColumnType.BIGINT),
          new Column("LAST_MODIFIED", ColumnType.TIMESTAMPTZ),
          new Column("TARGET_TABLE", ColumnType.VARCHAR),
          new Column("STATUS", ColumnType.VARCHAR),
          new Column("ROWS_LOADED", ColumnType.BIGINT),
          new Column("ROWS_QUARANTINED", ColumnType.BIGINT),
          new Column("DUPLICATES", ColumnType.BIGINT),
          new Column("REASON", ColumnType.VARCHAR),
          new Column("LOADED_AT", ColumnType.TIMESTAMPTZ));

  /** Where in a file a quarantined row was: added to OPS.QUARANTINE beside the Kafka columns. */
  static final List<Column> QUARANTINE_FILE_COLUMNS =
      List.of(
          new Column("SOURCE_FILE", ColumnType.VARCHAR),
          new Column("SOURCE_LINE", ColumnType.BIGINT),
          new Column("ROW_GROUP", ColumnType.BIGINT),
          new Column("FIELD", ColumnType.VARCHAR));

  /** The stage of a file's quarantined rows: where, and why. */
  static final List<Column> QUARANTINE_STAGE_COLUMNS =
      List.of(
          new Column("SOURCE_FILE", ColumnType.VARCHAR),
          new Column("SOURCE_LINE", ColumnType.BIGINT),
          new Column("ROW_GROUP", ColumnType.BIGINT),
          new Column("FIELD", ColumnType.VARCHAR),
          new Column("REASON", ColumnType.VARCHAR));

  private FileSql() {}

  static String insertManifest() {
    return WarehouseSql.insert(FILE_MANIFEST.sql(), MANIFEST_COLUMNS);
  }

  static String manifestQuery() {
    return "SELECT "
        + WarehouseSql.names(MANIFEST_COLUMNS.subList(1, MANIFEST_COLUMNS.size()), "")
        + " FROM "
        + FILE_MANIFEST.sql()
        + " WHERE \"CONSUMER\" = ? AND \"BUCKET\" = ? ORDER BY \"OBJECT_KEY\", \"LOADED_AT\"";
  }

  static String versionLoaded() {
    return "SELECT COUNT(*) FROM "
        + FILE_MANIFEST.sql()
        + " WHERE \"CONSUMER\" = ? AND \"BUCKET\" = ? AND \"OBJECT_KEY\" = ? AND \"ETAG\" = ?"
        + " AND \"SIZE_BYTES\" = ?";
  }

  /** One quarantined row of a file, bound: consumer, file, line, row group, field, reason. */
  static String insertQuarantine() {
    return "INSERT INTO "
        + WarehouseSql.QUARANTINE.sql()
        + " (\"CONSUMER\", \"SOURCE_FILE\", \"SOURCE_LINE\", \"ROW_GROUP\", \"FIELD\", \"REASON\","
        + " \"QUARANTINED_AT\") VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)";
  }

  /** The staged quarantined rows into OPS.QUARANTINE, the consumer bound. */
  static String quarantineFromStage(String stage) {
    return "INSERT INTO "
        + WarehouseSql.QUARANTINE.sql()
        + " (\"CONSUMER\", "
        + WarehouseSql.names(QUARANTINE_STAGE_COLUMNS, "")
        + ", \"QUARANTINED_AT\") SELECT CAST(? AS VARCHAR), "
        + WarehouseSql.names(QUARANTINE_STAGE_COLUMNS, "q.")
        + ", CURRENT_TIMESTAMP FROM "
        + stage
        + " q";
  }

  /**
   * Deletes every staged row of a key but the last one of the file (the highest line): the last row
   * of a key wins, as a later line of an export corrects an earlier one.
   */
  static String dropEarlierRowsOfAKey(String stage, List<String> key) {
    return "DELETE FROM "
        + stage
        + " WHERE EXISTS (SELECT 1 FROM "
        + stage
        + " d WHERE "
        + match("d", stage, key)
        + " AND d.\"_SOURCE_LINE\" > "
        + stage
        + ".\"_SOURCE_LINE\")";
  }

  /**
   * The condition on a staged row (alias s) whose key another file loaded into the table within the
   * window; binds the file's own address and the window's start.
   */
  static String loadedByAnotherFile(TableId target, List<String> key) {
    return "EXISTS (SELECT 1 FROM "
        + target.sql()
        + " t WHERE "
        + match("t", "s", key)
        + " AND t.\"_SOURCE_FILE\" <> ? AND t.\"_LOADED_AT\" >= ?)";
  }

  static String countStaged(String stage) {
    return "SELECT COUNT(*) FROM " + stage;
  }

  static String countCrossFile(TableId target, String stage, List<String> key) {
    return "SELECT COUNT(*) FROM " + stage + " s WHERE " + loadedByAnotherFile(target, key);
  }

  /** The cross-file duplicates into the quarantine stage; binds file, file, window start. */
  static String quarantineCrossFile(
      TableId target, String stage, String quarantineStage, List<String> key) {
    return "INSERT INTO "
        + quarantineStage
        + " ("
        + WarehouseSql.names(QUARANTINE_STAGE_COLUMNS, "")
        + ") SELECT CAST(? AS VARCHAR), s.\"_SOURCE_LINE\", CAST(NULL AS BIGINT), CAST('"
        + String.join(",", key).replace("'", "''")
        + "' AS VARCHAR), CAST('"
        + CROSS_FILE_REASON
        + "' AS VARCHAR) FROM "
        + stage
        + " s WHERE "
        + loadedByAnotherFile(target, key);
  }

  static final String CROSS_FILE_REASON =
      "DUPLICATE_KEY: another file loaded this key within the duplicates window";

  /** Deletes the cross-file duplicates from the stage; binds file, window start. */
  static String dropCrossFile(TableId target, String stage, List<String> key) {
    return "DELETE FROM "
        + stage
        + " WHERE EXISTS (SELECT 1 FROM "
        + target.sql()
        + " t WHERE "
        + match("t", stage, key)
        + " AND t.\"_SOURCE_FILE\" <> ? AND t.\"_LOADED_AT\" >= ?)";
  }

  /** Deletes the rows an earlier version of the file loaded; binds the file's address. */
  static String deleteRowsOfFile(TableId target) {
    return "DELETE FROM " + target.sql() + " WHERE \"_SOURCE_FILE\" = ?";
  }

  static String maxOf(TableId table, String column) {
    return "SELECT MAX(" + Identifiers.quote(column) + ") FROM " + table.sql();
  }

  private static String match(String left, String right, List<String> key) {
    return key.stream()
        .map(Identifiers::quote)
        .map(k -> left + "." + k + " = " + right + "." + k)
        .collect(Collectors.joining(" AND "));
  }
}
