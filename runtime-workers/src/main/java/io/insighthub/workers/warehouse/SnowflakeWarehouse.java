package io.insighthub.workers.warehouse;

import java.math.BigDecimal;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Properties;

/**
 * The production warehouse through snowflake-jdbc.
 *
 * <p>Bulk path: batched binds into a temporary stage table, then one {@code MERGE} per table (the
 * same SQL DuckDB runs, {@link WarehouseSql}). Why not our own {@code PUT} + {@code COPY INTO}: for
 * an {@code INSERT} whose bind batch holds more values (rows times columns) than the session's
 * {@code CLIENT_STAGE_ARRAY_BINDING_THRESHOLD} (a server parameter the driver receives at login;
 * the driver's own default, 0, turns staging off), the driver itself writes the batch as a
 * compressed CSV file to the session's temporary internal stage and has the server load it with a
 * {@code COPY}, which is the staged-file path; so one {@code executeBatch} of up to {@link
 * #bindBatchRows()} rows costs one upload and one load, and 150K rows/s is a few such batches per
 * second. Doing it ourselves would add named stages, file formats, CSV quoting of our own and their
 * cleanup, for the same server-side work. The temporary table disappears with the session, so a
 * crash leaves nothing behind, and the data, the offsets and the load log still commit in one
 * transaction. fakesnow answers the threshold with 0 (it serves binds, not {@code PUT}), so under
 * test every batch is bound inline; the SQL is the same.
 */
public final class SnowflakeWarehouse extends JdbcWarehouse {
  private SnowflakeWarehouse(java.sql.Connection connection) {
    super(connection);
  }

  /** Connects with the given driver properties (user, password, db, warehouse, ...). */
  public static SnowflakeWarehouse open(String url, Properties properties) {
    try {
      SnowflakeWarehouse warehouse =
          new SnowflakeWarehouse(DriverManager.getConnection(url, properties));
      warehouse.init();
      try (var statement = warehouse.connection.createStatement()) {
        // Temporary stage tables are created unqualified, in the current schema.
        statement.execute("USE SCHEMA \"OPS\"");
      }
      return warehouse;
    } catch (SQLException e) {
      throw new WarehouseException("cannot connect to Snowflake: " + e.getMessage(), e);
    }
  }

  /**
   * Binds with the types snowflake-jdbc knows. It refuses {@code java.time} objects and binds a
   * {@link java.sql.Timestamp} as {@code TIMESTAMP_LTZ}, which the server reads in the session's
   * time zone (America/Los_Angeles unless set) and the driver builds in the JVM's: so dates and
   * timestamps are bound as ISO-8601 text, which Snowflake casts into the column's type exactly
   * (wall clock for {@code TIMESTAMP_NTZ}, instant and offset for {@code TIMESTAMP_TZ}), whatever
   * either time zone is. Decimals are bound as their plain text too, cast exactly into the column's
   * {@code NUMBER(38,s)}: the driver sends a {@link BigDecimal} as a {@code FIXED} binding holding
   * {@code "5.00"}, which Snowflake reads but fakesnow does not (it parses {@code FIXED} bindings
   * as integers). A null needs its SQL type.
   */
  @Override
  void bind(PreparedStatement statement, int index, Object value, ColumnType type)
      throws SQLException {
    switch (value) {
      case null -> statement.setNull(index, sqlType(type));
      case OffsetDateTime v -> statement.setString(index, v.toString());
      case Instant v -> statement.setString(index, v.atOffset(ZoneOffset.UTC).toString());
      case LocalDateTime v -> statement.setString(index, v.toString());
      case LocalDate v -> statement.setString(index, v.toString());
      case Long v -> statement.setLong(index, v);
      case Integer v -> statement.setLong(index, v);
      case Boolean v -> statement.setBoolean(index, v);
      case Double v -> statement.setDouble(index, v);
      case BigDecimal v -> statement.setString(index, v.toPlainString());
      case String v -> statement.setString(index, v);
      default -> statement.setString(index, value.toString());
    }
  }

  /**
   * Stage rows are bound as text, nulls included, which Snowflake casts exactly into each column
   * (as it does the dates, timestamps and decimals above): the driver refuses a batch whose
   * bindings of one parameter change type, so a null must be bound with the type of the values
   * beside it, and fakesnow (0.12.1) fails on a typed null inside a batch (it converts every value
   * of a {@code FIXED}, {@code BOOLEAN} or timestamp array binding without a null check), while a
   * text null passes both.
   */
  @Override
  void bindStaged(PreparedStatement statement, int index, Object value, ColumnType type)
      throws SQLException {
    switch (value) {
      case null -> statement.setNull(index, Types.VARCHAR);
      case Long v -> statement.setString(index, v.toString());
      case Integer v -> statement.setString(index, v.toString());
      case Boolean v -> statement.setString(index, v.toString());
      case Double v -> statement.setString(index, v.toString());
      default -> bind(statement, index, value, type);
    }
  }

  private static int sqlType(ColumnType type) {
    return switch (type.kind()) {
      case BOOLEAN -> Types.BOOLEAN;
      case BIGINT -> Types.BIGINT;
      case DOUBLE -> Types.DOUBLE;
      case DECIMAL -> Types.DECIMAL;
      case VARCHAR -> Types.VARCHAR;
      case DATE -> Types.DATE;
      case TIMESTAMP -> Types.TIMESTAMP;
      case TIMESTAMPTZ -> Types.TIMESTAMP_WITH_TIMEZONE;
    };
  }

  /** One upload and one COPY per this many staged rows (see the class comment). */
  @Override
  int bindBatchRows() {
    return 100_000;
  }

  @Override
  String stageName(int n) {
    return "\"STAGE_" + n + "\"";
  }
}
