package io.insighthub.workers.validate;

/** Header names the validate stage writes on its outputs; values never hold event data. */
public final class OutputHeaders {
  /** The {@link io.insighthub.workers.rows.Reason} code, on DLQ and late records. */
  public static final String REASON = "insighthub.reason";

  /** What failed, naming the field (never its value), on DLQ records. */
  public static final String REASON_DETAIL = "insighthub.reason.detail";

  /** Where the record was read: topic, partition and offset, on every output. */
  public static final String SOURCE_TOPIC = "insighthub.source.topic";

  public static final String SOURCE_PARTITION = "insighthub.source.partition";
  public static final String SOURCE_OFFSET = "insighthub.source.offset";

  /** The event time as epoch milliseconds (decimal text), on validated and late records. */
  public static final String EVENT_TIME = "insighthub.event.time";

  /** Set to the original size when an oversized record's DLQ copy was cut to maxEventBytes. */
  public static final String TRUNCATED_FROM_BYTES = "insighthub.truncated.from.bytes";

  private OutputHeaders() {}
}
