package io.insighthub.workers.warehouse;

import java.time.Instant;

/**
 * One version of a file in {@code OPS.FILE_MANIFEST}: which object (bucket, key, ETag, size) a
 * batch loader saw, what became of it and when. A file's rows, its manifest row and its quarantined
 * rows commit in one transaction, so a file in the manifest is loaded whole.
 *
 * @param bucket the bucket (or, for {@code file://}, the directory)
 * @param key the object key
 * @param etag the object's ETag as the store reports it
 * @param size bytes
 * @param lastModified when the store last wrote the object
 * @param table the table its rows went to, SCHEMA.TABLE
 * @param status what became of this version
 * @param rows rows it wrote to the table
 * @param rowsQuarantined rows set aside in OPS.QUARANTINE
 * @param duplicates rows dropped because a later row of the file had the same key
 * @param reason why it was quarantined, or what a reload replaced; null when loaded plainly
 * @param loadedAt when its transaction committed (null before)
 */
public record StoredFile(
    String bucket,
    String key,
    String etag,
    long size,
    Instant lastModified,
    String table,
    Status status,
    long rows,
    long rowsQuarantined,
    long duplicates,
    String reason,
    Instant loadedAt) {

  /** What became of a file version. */
  public enum Status {
    /** Its rows are in the table. */
    LOADED,
    /** Its rows are in the table, replacing those of the version loaded before it. */
    RELOADED,
    /** Quarantined whole (corrupt, drifted, re-delivered under the quarantine policy). */
    QUARANTINED
  }

  /** Whether this is the same content as an object listed with {@code etag} and {@code size}. */
  public boolean sameVersion(String otherEtag, long otherSize) {
    return etag.equals(otherEtag) && size == otherSize;
  }

  /** The file's address as its rows' lineage records it: {@code s3://bucket/key}. */
  public static String uri(String scheme, String bucket, String key) {
    return scheme + "://" + bucket + "/" + key;
  }
}
