package io.insighthub.crds.v1alpha1;

/**
 * CEL expressions and patterns reused by several fields. Kept as constants so each rule is written
 * once and the tests can name the same text.
 */
final class Validation {
  private static final String NUM = "[0-9]+(-[0-9]+)?";
  private static final String NAME = "[A-Za-z]{3}(-[A-Za-z]{3})?";
  private static final String NUM_LIST =
      "(\\*|" + NUM + ")(/[0-9]+)?(,(\\*|" + NUM + ")(/[0-9]+)?)*";
  private static final String NAMED_LIST =
      "(\\*|\\?|" + NUM + "|" + NAME + ")(/[0-9]+)?(,(" + NUM + "|" + NAME + ")(/[0-9]+)?)*";

  /**
   * A 5-field cron (minute hour day-of-month month day-of-week) or one of the @-macros CronJob
   * accepts. Fields are lists of values, ranges and steps; month and weekday also take names.
   */
  static final String CRON_RULE =
      "self.matches(r'^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|"
          + NUM_LIST
          + "\\s+"
          + NUM_LIST
          + "\\s+"
          + NAMED_LIST
          + "\\s+"
          + NAMED_LIST
          + "\\s+"
          + NAMED_LIST
          + ")$')";

  static final String CRON_MESSAGE =
      "must be a 5-field cron expression (minute hour day-of-month month day-of-week),"
          + " for example '0 2 * * *' for 02:00 daily, or a macro such as @hourly";

  /** A Go-style duration made of hours, minutes and seconds, e.g. 90s, 2m, 1h30m. */
  static final String DURATION_PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

  /** A lower-case DNS-1123 label, the shape of Kubernetes object names. */
  static final String DNS_LABEL_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  /** Every entry of a list of tables is schema.table. */
  static final String TABLES_RULE =
      "self.all(t, t.matches(r'^[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*$'))";

  /** A DNS-1123 subdomain, the shape of Secret and ConfigMap names. */
  static final String DNS_SUBDOMAIN_PATTERN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A SQL identifier usable unquoted in PostgreSQL, Snowflake and DuckDB. */
  static final String IDENTIFIER_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";

  /** A field name in an event, possibly a dotted path into nested objects. */
  static final String FIELD_PATH_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$";

  private Validation() {}
}
