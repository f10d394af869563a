package io.insighthub.workers.warehouse;

import java.sql.Connection;
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
import java.util.Optional;

/**
 * {@link WarehouseLifecycle} over a {@link JdbcWarehouse}'s connection. The statements are the same
 * in both dialects; values go through the warehouse's own binding. A time column is compared as a
 * timestamp, or, when it holds text, as ISO-8601 UTC text (which sorts as time).
 */
final class JdbcLifecycle implements WarehouseLifecycle {
  static final List<Column> AUDIT_COLUMNS =
      List.of(
          new Column("RUN_ID", ColumnType.VARCHAR),
          new Column("PIPELINE", ColumnType.VARCHAR),
          new Column("ACTION", ColumnType.VARCHAR),
          new Column("LAYER", ColumnType.VARCHAR),
          new Column("OBJECT", ColumnType.VARCHAR),
          new Column("RANGE_FROM", ColumnType.TIMESTAMPTZ),
          new Column("RANGE_TO", ColumnType.TIMESTAMPTZ),
          new Column("ROWS_AFFECTED", ColumnType.BIGINT),
          new Column("BYTES_AFFECTED", ColumnType.BIGINT),
          new Column("OUTCOME", ColumnType.VARCHAR),
          new Column("DETAIL", ColumnType.VARCHAR),
          new Column("RECORDED_AT", ColumnType.TIMESTAMPTZ));

  private final JdbcWarehouse warehouse;
  private final Connection connection;

  JdbcLifecycle(JdbcWarehouse warehouse) {
    this.warehouse = warehouse;
    this.connection = warehouse.connection;
  }

  @Override
  public void init() {
    synchronized (warehouse) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(WarehouseSql.createSchema(AUDIT.schema()));
        statement.execute(WarehouseSql.createTable(AUDIT, AUDIT_COLUMNS));
      } catch (SQLException e) {
        throw new WarehouseException("cannot create " + AUDIT, e);
      }
    }
  }

  @Override
  public boolean recordOnce(AuditRow row) {
    synchronized (warehouse) {
      return transaction(
          () -> {
            try (PreparedStatement query =
                connection.prepareStatement(
                    "SELECT COUNT(*) FROM "
                        + AUDIT.sql()
                        + " WHERE \"ACTION\" = ? AND \"OBJECT\" = ?")) {
              bind(query, 1, row.action());
              bind(query, 2, row.object());
              try (ResultSet count = query.executeQuery()) {
                count.next();
                if (count.getLong(1) > 0) {
                  return false;
                }
              }
            }
            insert(row);
            return true;
          });
    }
  }

  @Override
  public void record(AuditRow row) {
    synchronized (warehouse) {
      transaction(
          () -> {
            insert(row);
            return null;
          });
    }
  }

  @Override
  public long deleteBefore(TableId table, String timeColumn, Instant cutoff, AuditRow audit) {
    synchronized (warehouse) {
      Map<String, ColumnType> columns = warehouse.columns(table);
      String time = Identifiers.normalize(timeColumn);
      if (!columns.containsKey(time)) {
        return 0;
      }
      String sql = "DELETE FROM " + table.sql() + " WHERE " + Identifiers.quote(time) + " < ?";
      return changeAndAudit(sql, columns.get(time), cutoff, audit);
    }
  }

  @Override
  public long nullBefore(
      TableId table, List<String> piiColumns, String timeColumn, Instant cutoff, AuditRow audit) {
    synchronized (warehouse) {
      Map<String, ColumnType> columns = warehouse.columns(table);
      String time = Identifiers.normalize(timeColumn);
      List<String> present = present(columns, piiColumns);
      if (!columns.containsKey(time) || present.isEmpty()) {
        return 0;
      }
      String sql =
          "UPDATE "
              + table.sql()
              + " SET "
              + String.join(
                  ", ", present.stream().map(c -> Identifiers.quote(c) + " = NULL").toList())
              + " WHERE "
              + Identifiers.quote(time)
              + " < ? AND ("
              + String.join(
                  " OR ", present.stream().map(c -> Identifiers.quote(c) + " IS NOT NULL").toList())
              + ")";
      return changeAndAudit(sql, columns.get(time), cutoff, audit);
    }
  }

  /** Those of {@code wanted} that the table has, normalized. */
  private static List<String> present(Map<String, ColumnType> columns, List<String> wanted) {
    return wanted.stream().map(Identifiers::normalize).filter(columns::containsKey).toList();
  }

  private long changeAndAudit(String sql, ColumnType timeType, Instant cutoff, AuditRow audit) {
    return transaction(
        () -> {
          long changed;
          try (PreparedStatement change = connection.prepareStatement(sql)) {
            bindTime(change, 1, timeType, cutoff);
            changed = change.executeUpdate();
          }
          if (changed > 0) {
            insert(audit.withRows(changed));
          }
          return changed;
        });
  }

  @Override
  public Optional<Instant> oldestWith(TableId table, List<String> piiColumns, String timeColumn) {
    synchronized (warehouse) {
      Map<String, ColumnType> columns = warehouse.columns(table);
      String time = Identifiers.normalize(timeColumn);
      List<String> present = present(columns, piiColumns);
      if (!columns.containsKey(time) || present.isEmpty()) {
        return Optional.empty();
      }
      String sql =
          "SELECT MIN("
              + Identifiers.quote(time)
              + ") FROM "
              + table.sql()
              + " WHERE "
              + String.join(
                  " OR ",
                  present.stream().map(c -> Identifiers.quote(c) + " IS NOT NULL").toList());
      try (PreparedStatement query = connection.prepareStatement(sql);
          ResultSet min = query.executeQuery()) {
        min.next();
        return Optional.ofNullable(instant(min.getObject(1)));
      } catch (SQLException e) {
        throw new WarehouseException("cannot read the oldest row of " + table, e);
      }
    }
  }

  @Override
  public List<AuditRow> audit(String pipeline, Instant from, Instant to) {
    synchronized (warehouse) {
      if (warehouse.columns(AUDIT).isEmpty()) {
        return List.of();
      }
      return readAudit(
          " WHERE \"PIPELINE\" = ? AND \"RECORDED_AT\" >= ? AND \"RECORDED_AT\" < ?"
              + " ORDER BY \"RECORDED_AT\", \"RUN_ID\", \"ACTION\", \"OBJECT\"",
          pipeline,
          from,
          to);
    }
  }

  /** Audit rows by {@code where}, its parameters text or instants. */
  private List<AuditRow> readAudit(String where, Object... parameters) {
    List<AuditRow> rows = new ArrayList<>();
    String sql =
        "SELECT "
            + String.join(
                ", ", AUDIT_COLUMNS.stream().map(c -> Identifiers.quote(c.name())).toList())
            + " FROM "
            + AUDIT.sql()
            + where;
    try (PreparedStatement query = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        if (parameters[i] instanceof Instant at) {
          bindTime(query, i + 1, ColumnType.TIMESTAMPTZ, at);
        } else {
          bind(query, i + 1, (String) parameters[i]);
        }
      }
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          rows.add(
              new AuditRow(
                  result.getString(1),
                  result.getString(2),
                  result.getString(4),
                  result.getString(3),
                  result.getString(5),
                  instant(result.getObject(6)),
                  instant(result.getObject(7)),
                  result.getLong(8),
                  result.getLong(9),
                  result.getString(10),
                  result.getString(11),
                  instant(result.getObject(12))));
        }
      }
    } catch (SQLException e) {
      throw new WarehouseException("cannot read " + AUDIT, e);
    }
    return rows;
  }

  @Override
  public Optional<AuditRow> latest(String pipeline, String action, Instant before) {
    synchronized (warehouse) {
      if (warehouse.columns(AUDIT).isEmpty()) {
        return Optional.empty();
      }
      List<AuditRow> rows =
          readAudit(
              " WHERE \"PIPELINE\" = ? AND \"ACTION\" = ? AND \"RECORDED_AT\" < ?"
                  + " ORDER BY \"RECORDED_AT\" DESC LIMIT 1",
              pipeline,
              action,
              before);
      return rows.stream().findFirst();
    }
  }

  @Override
  public List<Group> groups(Selection selection, List<String> groupBy, String sumColumn) {
    synchronized (warehouse) {
      Map<String, ColumnType> columns = warehouse.columns(selection.table());
      String time = Identifiers.quote(Identifiers.normalize(selection.timeColumn()));
      List<String> keys =
          groupBy.stream().map(c -> Identifiers.quote(Identifiers.normalize(c))).toList();
      StringBuilder sql = new StringBuilder("SELECT ");
      keys.forEach(k -> sql.append(k).append(", "));
      sql.append("COUNT(*), MIN(").append(time).append("), MAX(").append(time).append(")");
      sql.append(
          sumColumn == null
              ? ""
              : ", SUM(" + Identifiers.quote(Identifiers.normalize(sumColumn)) + ")");
      sql.append(" FROM ").append(selection.table().sql());
      sql.append(" WHERE ").append(time).append(" >= ? AND ").append(time).append(" < ?");
      if (selection.filterColumn() != null) {
        String filter = Identifiers.quote(Identifiers.normalize(selection.filterColumn()));
        sql.append(" AND (")
            .append(
                String.join(
                    " OR ",
                    selection.values().stream()
                        .map(v -> filter + (v.contains("%") ? " LIKE ?" : " = ?"))
                        .toList()))
            .append(")");
      }
      if (!keys.isEmpty()) {
        sql.append(" GROUP BY ").append(String.join(", ", keys));
      }
      sql.append(" ORDER BY ").append(keys.size() + 2);
      ColumnType timeType =
          columns.get(Identifiers.normalize(selection.timeColumn())) == null
              ? ColumnType.TIMESTAMPTZ
              : columns.get(Identifiers.normalize(selection.timeColumn()));
      List<Group> groups = new ArrayList<>();
      try (PreparedStatement query = connection.prepareStatement(sql.toString())) {
        bindTime(query, 1, timeType, selection.from());
        bindTime(query, 2, timeType, selection.to());
        int index = 3;
        if (selection.filterColumn() != null) {
          for (String value : selection.values()) {
            bind(query, index++, value);
          }
        }
        try (ResultSet result = query.executeQuery()) {
          while (result.next()) {
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= keys.size(); i++) {
              Object value = result.getObject(i);
              values.add(value == null ? null : value.toString());
            }
            int at = keys.size();
            long count = result.getLong(at + 1);
            if (count == 0) {
              continue; // no GROUP BY: one row even when nothing matched
            }
            groups.add(
                new Group(
                    values,
                    count,
                    sumColumn == null ? 0 : result.getLong(at + 4),
                    instant(result.getObject(at + 2)),
                    instant(result.getObject(at + 3))));
          }
        }
      } catch (SQLException e) {
        throw new WarehouseException("cannot read " + selection.table(), e);
      }
      return groups;
    }
  }

  private void insert(AuditRow row) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(WarehouseSql.insert(AUDIT.sql(), AUDIT_COLUMNS))) {
      Object[] values = {
        row.runId(),
        row.pipeline(),
        row.action(),
        row.layer(),
        row.object(),
        offset(row.from()),
        offset(row.to()),
        row.rows(),
        row.bytes(),
        row.outcome(),
        row.detail(),
        offset(row.at())
      };
      for (int i = 0; i < values.length; i++) {
        warehouse.bind(insert, i + 1, values[i], AUDIT_COLUMNS.get(i).type());
      }
      insert.executeUpdate();
    }
  }

  private void bind(PreparedStatement statement, int index, String value) throws SQLException {
    warehouse.bind(statement, index, value, ColumnType.VARCHAR);
  }

  /** The cutoff as the column compares: a timestamp, or ISO-8601 UTC text for a text column. */
  private void bindTime(PreparedStatement statement, int index, ColumnType type, Instant at)
      throws SQLException {
    if (type.kind() == ColumnType.Kind.VARCHAR) {
      warehouse.bind(statement, index, at.toString(), ColumnType.VARCHAR);
    } else {
      warehouse.bind(statement, index, offset(at), ColumnType.TIMESTAMPTZ);
    }
  }

  private static OffsetDateTime offset(Instant at) {
    return at == null ? null : at.atOffset(ZoneOffset.UTC);
  }

  static Instant instant(Object value) {
    return switch (value) {
      case null -> null;
      case OffsetDateTime t -> t.toInstant();
      case java.sql.Timestamp t -> t.toInstant();
      case java.time.ZonedDateTime t -> t.toInstant();
      case java.time.LocalDateTime t -> t.toInstant(ZoneOffset.UTC);
      case String s -> parse(s);
      default -> parse(value.toString());
    };
  }

  private static Instant parse(String text) {
    try {
      return OffsetDateTime.parse(text.replace(' ', 'T')).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      try {
        return Instant.parse(text);
      } catch (java.time.format.DateTimeParseException again) {
        return null;
      }
    }
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  private <T> T transaction(Work<T> work) {
    try {
      connection.setAutoCommit(false);
      try {
        T result = work.run();
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          connection.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new WarehouseException("a lifecycle change was rolled back: " + e.getMessage(), e);
    }
  }
}
