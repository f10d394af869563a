package io.insighthub.workers.warehouse;

/** A warehouse operation failed; a failed batch has been rolled back. */
public final class WarehouseException extends RuntimeException {
  public WarehouseException(String message, Throwable cause) {
    super(message, cause);
  }
}
