package io.insighthub.workers.files.archive;

/**
 * The user metadata every archive object carries (S3 {@code x-amz-meta-*}, lower case): where its
 * records came from and their event-time range, so a reader needs no scan of the content to know
 * what an object holds.
 */
public final class ArchiveMetadata {
  public static final String TOPIC = "insighthub-topic";
  public static final String PARTITION = "insighthub-partition";
  public static final String FIRST_OFFSET = "insighthub-first-offset";
  public static final String LAST_OFFSET = "insighthub-last-offset";
  public static final String RECORDS = "insighthub-records";
  public static final String MIN_EVENT_TIME = "insighthub-min-event-time";
  public static final String MAX_EVENT_TIME = "insighthub-max-event-time";
  public static final String FORMAT = "insighthub-format";

  /**
   * SHA-256 of the uncompressed lines as the archiver wrote them; kept through the purge, so two
   * objects of the same records are recognised as such whatever their compression.
   */
  public static final String SOURCE_SHA256 = "insighthub-source-sha256";

  /** On a pii-purged object: the run that rewrote it and when. */
  public static final String PURGED_BY = "insighthub-pii-purged-by";

  private ArchiveMetadata() {}
}
