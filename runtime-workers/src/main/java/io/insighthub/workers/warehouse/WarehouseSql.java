package io.insighthub.workers.warehouse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The SQL the loaders run, written once for DuckDB and Snowflake (both speak this MERGE).
 * Identifiers are quoted here; values are always bound parameters.
 */
public final class WarehouseSql {
  /** Position and bookkeeping columns of every CDC table. */
  public static final List<Column> CDC_COLUMNS =
      List.of(
          new Column("_LSN", ColumnType.BIGINT),
          new Column("_TX_ORDER", ColumnType.BIGINT),
          new Column("_KAFKA_OFFSET", ColumnType.BIGINT),
          new Column("_DELETED", ColumnType.BOOLEAN),
          new Column("_SOURCE_TS", ColumnType.TIMESTAMPTZ),
          new Column("_LOADED_AT", ColumnType.TIMESTAMPTZ));

  /** Columns a CDC stage table has besides the data: operation, unchanged columns, position. */
  public static final List<Column> CDC_STAGE_COLUMNS =
      List.of(
          new Column("_OP", ColumnType.VARCHAR),
          new Column("_UNCHANGED", ColumnType.VARCHAR),
          new Column("_LSN", ColumnType.BIGINT),
          new Column("_TX_ORDER", ColumnType.BIGINT),
          new Column("_KAFKA_OFFSET", ColumnType.BIGINT),
          new Column("_SOURCE_TS", ColumnType.TIMESTAMPTZ));

  public static final TableId OFFSETS = new TableId("OPS", "OFFSETS");
  public static final TableId QUARANTINE = new TableId("OPS", "QUARANTINE");
  public static final TableId LOADS = new TableId("OPS", "LOADS");

  private WarehouseSql() {}

  public static String createSchema(String schema) {
    return "CREATE SCHEMA IF NOT EXISTS " + Identifiers.quote(Identifiers.normalize(schema));
  }

  public static String createTable(TableId table, List<Column> columns) {
    return "CREATE TABLE IF NOT EXISTS " + table.sql() + " (" + definitions(columns) + ")";
  }

  public static String createTempTable(String name, List<Column> columns) {
    return "CREATE TEMPORARY TABLE " + name + " (" + definitions(columns) + ")";
  }

  public static String addColumn(TableId table, Column column) {
    return "ALTER TABLE " + table.sql() + " ADD COLUMN " + column.sql() + " " + column.type().sql();
  }

  public static String insert(String table, List<Column> columns) {
    return "INSERT INTO "
        + table
        + " ("
        + names(columns, "")
        + ") VALUES ("
        + String.join(", ", columns.stream().map(c -> "?").toList())
        + ")";
  }

  public static String columnsQuery() {
    return "SELECT column_name, data_type, numeric_scale FROM information_schema.columns"
        + " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position";
  }

  /**
   * Fills the unchanged TOAST columns of staged changes with the stored values, before {@link
   * #cdcMerge}: where a change lists a column in {@code _UNCHANGED}, the stage takes the target
   * row's value (one bound parameter per column, {@code |NAME|}, in the order given). The MERGE
   * then copies the stage as it is. Doing this in the stage rather than as a {@code CASE} in the
   * MERGE's {@code SET} gives the same result (the MERGE only overwrites a row with a newer change,
   * which then carries the value the row had) and is a form fakesnow also runs: its MERGE
   * translation only carries source columns named directly in {@code SET} or {@code INSERT}.
   */
  public static String keepUnchanged(
      TableId target, String stage, List<String> key, Collection<String> toastColumns) {
    String sets =
        toastColumns.stream()
            .map(Identifiers::quote)
            .map(
                c ->
                    c
                        + " = CASE WHEN POSITION(? IN s.\"_UNCHANGED\") > 0 THEN t."
                        + c
                        + " ELSE s."
                        + c
                        + " END")
            .collect(Collectors.joining(", "));
    return "UPDATE "
        + stage
        + " AS s SET "
        + sets
        + " FROM "
        + target.sql()
        + " AS t WHERE "
        + on(key)
        + " AND s.\"_UNCHANGED\" IS NOT NULL";
  }

  /**
   * The effectively-once MERGE of collapsed CDC changes from {@code stage}: a change updates or
   * deletes a row only when its position is newer than the stored one. Unchanged TOAST values are
   * resolved in the stage first ({@link #keepUnchanged}).
   */
  public static String cdcMerge(
      TableId target, String stage, List<Column> columns, List<String> key, boolean softDeletes) {
    String newer =
        "(s.\"_LSN\" > t.\"_LSN\" OR (s.\"_LSN\" = t.\"_LSN\" AND (s.\"_TX_ORDER\" > t.\"_TX_ORDER\""
            + " OR (s.\"_TX_ORDER\" = t.\"_TX_ORDER\" AND s.\"_KAFKA_OFFSET\" > t.\"_KAFKA_OFFSET\"))))";
    String position =
        "\"_LSN\" = s.\"_LSN\", \"_TX_ORDER\" = s.\"_TX_ORDER\", \"_KAFKA_OFFSET\" ="
            + " s.\"_KAFKA_OFFSET\", \"_SOURCE_TS\" = s.\"_SOURCE_TS\", \"_LOADED_AT\" ="
            + " CURRENT_TIMESTAMP";
    List<String> sets = new ArrayList<>();
    for (Column column : columns) {
      if (key.contains(column.name())) {
        continue;
      }
      sets.add(column.sql() + " = s." + column.sql());
    }
    String insertColumns =
        names(columns, "")
            + ", \"_LSN\", \"_TX_ORDER\", \"_KAFKA_OFFSET\", \"_DELETED\", \"_SOURCE_TS\","
            + " \"_LOADED_AT\"";
    String positionValues =
        "s.\"_LSN\", s.\"_TX_ORDER\", s.\"_KAFKA_OFFSET\", %s, s.\"_SOURCE_TS\", CURRENT_TIMESTAMP";
    StringBuilder sql =
        new StringBuilder("MERGE INTO ")
            .append(target.sql())
            .append(" t USING ")
            .append(stage)
            .append(" s ON ")
            .append(on(key))
            .append(" WHEN MATCHED AND s.\"_OP\" = 'd' AND ")
            .append(newer)
            .append(
                softDeletes ? " THEN UPDATE SET \"_DELETED\" = TRUE, " + position : " THEN DELETE")
            .append(" WHEN MATCHED AND ")
            .append(newer)
            .append(" THEN UPDATE SET ")
            .append(String.join(", ", Stream.concat(sets.stream(), Stream.of(position)).toList()))
            .append(", \"_DELETED\" = FALSE")
            .append(" WHEN NOT MATCHED AND s.\"_OP\" <> 'd' THEN INSERT (")
            .append(insertColumns)
            .append(") VALUES (")
            .append(names(columns, "s."))
            .append(", ")
            .append(positionValues.formatted("FALSE"))
            .append(")");
    if (softDeletes) {
      // A delete seen before its row keeps its position, so a redelivered older insert stays dead.
      sql.append(" WHEN NOT MATCHED THEN INSERT (")
          .append(insertColumns)
          .append(") VALUES (")
          .append(names(columns, "s."))
          .append(", ")
          .append(positionValues.formatted("TRUE"))
          .append(")");
    }
    return sql.toString();
  }

  /**
   * {@link #cdcMerge} as three statements, run in this order in one transaction: the newer deletes
   * of stored rows (an {@code UPDATE} setting {@code _DELETED} for soft deletes, a {@code DELETE}
   * for hard ones), the newer updates of stored rows, then the inserts of keys not stored. Each
   * clause of the MERGE becomes one statement with the same condition and the same {@code SET}
   * list, so a stored column the changes do not carry keeps its value as it does in the MERGE.
   * DuckDB runs this instead of its {@code MERGE}, which took 10-40 s instead of ~0.1 s for some
   * batches of 50K updates (BENCHMARKS.md).
   */
  public static List<String> cdcStatements(
      TableId target, String stage, List<Column> columns, List<String> key, boolean softDeletes) {
    List<String> sets = new ArrayList<>();
    for (Column column : columns) {
      if (!key.contains(column.name())) {
        sets.add(column.sql() + " = s." + column.sql());
      }
    }
    sets.add(POSITION_SET);
    String deletes =
        softDeletes
            ? "UPDATE "
                + target.sql()
                + " AS t SET \"_DELETED\" = TRUE, "
                + POSITION_SET
                + " FROM "
                + stage
                + " AS s WHERE "
                + on(key)
                + " AND s.\"_OP\" = 'd' AND "
                + NEWER
            : "DELETE FROM "
                + target.sql()
                + " AS t USING "
                + stage
                + " AS s WHERE "
                + on(key)
                + " AND s.\"_OP\" = 'd' AND "
                + NEWER;
    String updates =
        "UPDATE "
            + target.sql()
            + " AS t SET "
            + String.join(", ", sets)
            + ", \"_DELETED\" = FALSE FROM "
            + stage
            + " AS s WHERE "
            + on(key)
            + " AND s.\"_OP\" <> 'd' AND "
            + NEWER;
    String inserts =
        "INSERT INTO "
            + target.sql()
            + " ("
            + names(columns, "")
            + INSERT_POSITION_COLUMNS
            + ") SELECT "
            + names(columns, "s.")
            + ", s.\"_LSN\", s.\"_TX_ORDER\", s.\"_KAFKA_OFFSET\", s.\"_OP\" = 'd',"
            + " s.\"_SOURCE_TS\", CURRENT_TIMESTAMP FROM "
            + stage
            + " AS s WHERE NOT EXISTS (SELECT 1 FROM "
            + target.sql()
            + " AS t WHERE "
            + on(key)
            + ")"
            + (softDeletes ? "" : " AND s.\"_OP\" <> 'd'");
    return List.of(deletes, updates, inserts);
  }

  /** The stage row's position is newer than the stored row's (LSN, tx order, Kafka offset). */
  private static final String NEWER =
      "(s.\"_LSN\" > t.\"_LSN\" OR (s.\"_LSN\" = t.\"_LSN\" AND (s.\"_TX_ORDER\" > t.\"_TX_ORDER\""
          + " OR (s.\"_TX_ORDER\" = t.\"_TX_ORDER\" AND s.\"_KAFKA_OFFSET\" > t.\"_KAFKA_OFFSET\"))))";

  /** The position columns a newer change writes. */
  private static final String POSITION_SET =
      "\"_LSN\" = s.\"_LSN\", \"_TX_ORDER\" = s.\"_TX_ORDER\", \"_KAFKA_OFFSET\" ="
          + " s.\"_KAFKA_OFFSET\", \"_SOURCE_TS\" = s.\"_SOURCE_TS\", \"_LOADED_AT\" ="
          + " CURRENT_TIMESTAMP";

  private static final String INSERT_POSITION_COLUMNS =
      ", \"_LSN\", \"_TX_ORDER\", \"_KAFKA_OFFSET\", \"_DELETED\", \"_SOURCE_TS\", \"_LOADED_AT\"";

  /** Upsert of {@code stage} into {@code target} on {@code key}: the staged row wins. */
  public static String upsert(
      TableId target, String stage, List<Column> columns, List<String> key) {
    List<String> sets =
        columns.stream()
            .filter(c -> !key.contains(c.name()))
            .map(c -> c.sql() + " = s." + c.sql())
            .toList();
    String sql = "MERGE INTO " + target.sql() + " t USING " + stage + " s ON " + on(key);
    if (!sets.isEmpty()) {
      sql += " WHEN MATCHED THEN UPDATE SET " + String.join(", ", sets);
    }
    return sql
        + " WHEN NOT MATCHED THEN INSERT ("
        + names(columns, "")
        + ") VALUES ("
        + names(columns, "s.")
        + ")";
  }

  /**
   * Deletes the rows of {@code target} whose key is in {@code stage}. A correlated {@code DELETE}
   * rather than {@code MERGE ... WHEN MATCHED THEN DELETE}: both Snowflake and DuckDB run it as is,
   * while fakesnow cannot translate a delete-only MERGE.
   */
  public static String deleteMatching(TableId target, String stage, List<String> key) {
    String match =
        key.stream()
            .map(Identifiers::quote)
            .map(k -> "s." + k + " = " + target.sql() + "." + k)
            .collect(Collectors.joining(" AND "));
    return "DELETE FROM "
        + target.sql()
        + " WHERE EXISTS (SELECT 1 FROM "
        + stage
        + " s WHERE "
        + match
        + ")";
  }

  /** Appends {@code stage} to {@code target}. */
  public static String append(TableId target, String stage, List<Column> columns) {
    return "INSERT INTO "
        + target.sql()
        + " ("
        + names(columns, "")
        + ") SELECT "
        + names(columns, "s.")
        + " FROM "
        + stage
        + " s";
  }

  static String definitions(List<Column> columns) {
    return columns.stream()
        .map(c -> c.sql() + " " + c.type().sql())
        .collect(Collectors.joining(", "));
  }

  static String names(List<Column> columns, String prefix) {
    return columns.stream().map(c -> prefix + c.sql()).collect(Collectors.joining(", "));
  }

  private static String on(List<String> key) {
    return key.stream()
        .map(Identifiers::quote)
        .map(k -> "t." + k + " = s." + k)
        .collect(Collectors.joining(" AND "));
  }
}
