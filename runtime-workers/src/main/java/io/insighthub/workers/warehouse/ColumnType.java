package io.insighthub.workers.warehouse;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The column types the loaders write, and the conversion of a Java value into one; a value that
 * does not fit throws {@link ConversionException} (the record is then quarantined).
 *
 * @param kind the type family
 * @param scale digits after the point, for {@link Kind#DECIMAL}
 */
public record ColumnType(Kind kind, int scale) {
  /** Type families shared by DuckDB and Snowflake. */
  public enum Kind {
    BOOLEAN,
    BIGINT,
    DOUBLE,
    DECIMAL,
    VARCHAR,
    DATE,
    TIMESTAMP,
    TIMESTAMPTZ
  }

  public static final ColumnType BOOLEAN = new ColumnType(Kind.BOOLEAN, 0);
  public static final ColumnType BIGINT = new ColumnType(Kind.BIGINT, 0);
  public static final ColumnType DOUBLE = new ColumnType(Kind.DOUBLE, 0);
  public static final ColumnType VARCHAR = new ColumnType(Kind.VARCHAR, 0);
  public static final ColumnType DATE = new ColumnType(Kind.DATE, 0);
  public static final ColumnType TIMESTAMP = new ColumnType(Kind.TIMESTAMP, 0);
  public static final ColumnType TIMESTAMPTZ = new ColumnType(Kind.TIMESTAMPTZ, 0);

  public static ColumnType decimal(int scale) {
    if (scale < 0 || scale > 37) {
      throw new IllegalArgumentException("decimal scale must be 0..37, got " + scale);
    }
    return new ColumnType(Kind.DECIMAL, scale);
  }

  /** The SQL type name, the same in DuckDB and Snowflake. */
  public String sql() {
    return switch (kind) {
      case DECIMAL -> "DECIMAL(38," + scale + ")";
      case TIMESTAMPTZ -> "TIMESTAMP WITH TIME ZONE";
      default -> kind.name();
    };
  }

  /** Parses a type as information_schema reports it (DuckDB or Snowflake spelling). */
  public static ColumnType parse(String dataType, Integer numericScale) {
    String t = dataType.toUpperCase(Locale.ROOT).trim();
    if (t.startsWith("DECIMAL") || t.startsWith("NUMBER") || t.startsWith("NUMERIC")) {
      int scale = numericScale != null ? numericScale : scaleOf(t);
      return scale == 0 && t.equals("NUMBER") ? BIGINT : decimal(scale);
    }
    return switch (t) {
      case "BOOLEAN", "BOOL" -> BOOLEAN;
      case "BIGINT", "INTEGER", "INT", "SMALLINT", "TINYINT", "HUGEINT", "INT8", "INT4" -> BIGINT;
      case "DOUBLE", "FLOAT", "REAL", "FLOAT8", "DOUBLE PRECISION" -> DOUBLE;
      case "DATE" -> DATE;
      case "TIMESTAMP", "TIMESTAMP_NTZ", "DATETIME", "TIMESTAMP WITHOUT TIME ZONE" -> TIMESTAMP;
      case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "TIMESTAMP_TZ", "TIMESTAMP_LTZ" ->
          TIMESTAMPTZ;
      default -> VARCHAR;
    };
  }

  private static int scaleOf(String t) {
    int comma = t.indexOf(',');
    int close = t.indexOf(')');
    return comma > 0 && close > comma ? Integer.parseInt(t.substring(comma + 1, close).trim()) : 0;
  }

  /** Converts {@code value} (null stays null) into the Java type bound for this column. */
  public Object convert(Object value) {
    if (value == null) {
      return null;
    }
    try {
      return switch (kind) {
        case BOOLEAN ->
            value instanceof Boolean b ? b : Boolean.valueOf(strictBoolean(value.toString()));
        case BIGINT ->
            value instanceof Number n && !(value instanceof Double || value instanceof Float)
                ? (Long) n.longValue()
                : new BigDecimal(value.toString()).longValueExact();
        case DOUBLE ->
            value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString());
        case DECIMAL ->
            (value instanceof BigDecimal d ? d : new BigDecimal(value.toString()))
                .setScale(scale, RoundingMode.UNNECESSARY);
        case VARCHAR -> value.toString();
        case DATE -> value instanceof LocalDate d ? d : LocalDate.parse(value.toString());
        case TIMESTAMP ->
            value instanceof LocalDateTime t ? t : LocalDateTime.parse(value.toString());
        case TIMESTAMPTZ ->
            switch (value) {
              case OffsetDateTime t -> t;
              case Instant i -> i.atOffset(ZoneOffset.UTC);
              default -> OffsetDateTime.parse(value.toString());
            };
      };
    } catch (RuntimeException e) {
      throw new ConversionException(
          "value of type " + value.getClass().getSimpleName() + " cannot be converted to " + sql(),
          e);
    }
  }

  private static boolean strictBoolean(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("not a boolean");
    };
  }

  /** A value that does not fit its column; the message never contains the value itself. */
  public static final class ConversionException extends RuntimeException {
    public ConversionException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
