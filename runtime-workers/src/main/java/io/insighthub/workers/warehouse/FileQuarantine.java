package io.insighthub.workers.warehouse;

/**
 * A row of a file (or the whole file) a batch loader could not load, kept in {@code OPS.QUARANTINE}
 * with where it was and why, never its values.
 *
 * @param file the file's address, {@code s3://bucket/key}
 * @param line the line the row starts on (CSV, JSON lines) or its row number (Parquet); null for
 *     the whole file
 * @param rowGroup the Parquet row group holding the row; null otherwise
 * @param field the field at fault, when one is; never its value
 * @param reason the reason code and what was found, e.g. {@code WRONG_TYPE: expected integer}
 */
public record FileQuarantine(String file, Long line, Long rowGroup, String field, String reason) {}
