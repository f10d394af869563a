package io.insighthub.workers.warehouse;

import java.util.Locale;
import java.util.Objects;

/** A warehouse table, SCHEMA.TABLE, with names normalized to upper case as Snowflake shows them. */
public record TableId(String schema, String table) {
  public TableId {
    schema = Identifiers.normalize(Objects.requireNonNull(schema, "schema"));
    table = Identifiers.normalize(Objects.requireNonNull(table, "table"));
  }

  /** The quoted form for SQL, e.g. {@code "RAW"."ACCOUNTS"}. */
  public String sql() {
    return Identifiers.quote(schema) + "." + Identifiers.quote(table);
  }

  @Override
  public String toString() {
    return schema + "." + table;
  }

  /** Parses SCHEMA.TABLE. */
  public static TableId parse(String text) {
    int dot = text.indexOf('.');
    if (dot <= 0 || dot == text.length() - 1) {
      throw new IllegalArgumentException("expected SCHEMA.TABLE, got '" + text + "'");
    }
    return new TableId(text.substring(0, dot), text.substring(dot + 1).toUpperCase(Locale.ROOT));
  }
}
