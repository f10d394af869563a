package io.insighthub.workers.warehouse;

import java.util.Locale;

/** Normalizes and quotes identifiers; every identifier in generated SQL goes through here. */
public final class Identifiers {
  private Identifiers() {}

  /** Upper case, as unquoted Snowflake identifiers resolve; rejects what cannot be a name. */
  public static String normalize(String name) {
    if (name.isBlank() || name.length() > 255 || name.chars().anyMatch(c -> c < 0x20)) {
      throw new IllegalArgumentException("not a valid identifier: '" + name + "'");
    }
    return name.toUpperCase(Locale.ROOT);
  }

  /** Double-quoted, with embedded quotes doubled. */
  public static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }
}
