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
 * The production warehouse through snowflake-jdbc. Bulk path: batched binds into a temporary stage
 * table, then one MERGE per table (the SQL DuckDB runs too). Why not our own PUT + COPY INTO: the
 * driver already turns a bind batch above {@code CLIENT_STAGE_ARRAY_BINDING_THRESHOLD} into a
 * compressed file on the session's internal stage and a server-side COPY, which is the staged-file
 * throughput (150K rows/s needs a few 50K-row batches per second) without managing named stages,
 * file formats and their cleanup; and fakesnow serves binds, not PUT. Not yet verified against
 * fakesnow: its MERGE translation only sees stage columns named in the INSERT clause (see
 * README.md, Warehouse and CDC loader).
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

  @Override
  String stageName(int n) {
    return "\"STAGE_" + n + "\"";
  }
}
