package io.insighthub.workers.cdc;

/** A change record the loader cannot apply; it is quarantined with this message as the reason. */
public final class BadRecordException extends RuntimeException {
  public BadRecordException(String reason) {
    super(reason);
  }

  public BadRecordException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
