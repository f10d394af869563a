package io.insighthub.workers.rows;

/**
 * Why a record went to the DLQ (or the late topic): the machine code in the {@code
 * insighthub.reason} header and the {@code reason} label of the DLQ metric, a bounded set.
 */
public enum Reason {
  /** Not parseable JSON, not UTF-8, not an object, too deeply nested, or an empty record. */
  MALFORMED_JSON,
  /** Larger than the schema's maxEventBytes. */
  EVENT_TOO_LARGE,
  /** A required field (or the event id or event time) is absent or null. */
  MISSING_REQUIRED_FIELD,
  /** A field has a JSON type other than the declared one. */
  WRONG_TYPE,
  /** A timestamp field is neither ISO-8601 nor epoch milliseconds. */
  INVALID_TIMESTAMP,
  /** The event time is implausibly far in the future, which would make every later event late. */
  EVENT_TIME_OUT_OF_RANGE,
  /** A string is longer than its field's maxLength. */
  FIELD_TOO_LONG,
  /** A field absent from the declared schema, under the quarantine policy. */
  SCHEMA_DRIFT,
  /** The validator itself failed on this record; the record is kept for reprocessing. */
  PROCESSING_ERROR,
  /** Older than the allowed lateness; only used on the late topic. */
  LATE_EVENT
}
