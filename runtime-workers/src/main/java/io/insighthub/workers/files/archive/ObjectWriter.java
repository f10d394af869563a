package io.insighthub.workers.files.archive;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.insighthub.crds.v1alpha1.ArchiveSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetDecoder;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds one archive object in memory: records appended as compressed JSON lines, with what its
 * metadata records (counts, offsets, event-time range, a SHA-256 of the uncompressed lines, which
 * tells a retried upload of the same records from another). Not thread-safe.
 */
public final class ObjectWriter {
  private static final JsonFactory JSON = new JsonFactory();

  private final ArchiveSpec.Format format;
  private final ByteArrayOutputStream compressed = new ByteArrayOutputStream(64 * 1024);
  private final MessageDigest digest;
  private final OutputStream compressor;
  private final JsonGenerator out;
  private final CharsetDecoder utf8 = ArchiveRecord.strictUtf8();
  private long records;
  private long first = -1;
  private long last = -1;
  private long minEventTime = Long.MAX_VALUE;
  private long maxEventTime = Long.MIN_VALUE;
  private byte[] done;

  public ObjectWriter(ArchiveSpec.Format format) {
    this.format = format;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
      this.compressor = ArchiveCodec.compress(format, compressed);
      this.out =
          JSON.createGenerator(new DigestOutputStream(compressor, digest), JsonEncoding.UTF8);
      out.setRootValueSeparator(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** Appends one record, whose event time (epoch millis) is {@code eventTime}, if known. */
  public void add(ArchiveRecord record, long eventTime) {
    if (done != null) {
      throw new IllegalStateException("the object is finished");
    }
    try {
      record.write(out, utf8);
      out.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    records++;
    if (first < 0) {
      first = record.offset();
    }
    last = record.offset();
    if (eventTime != Long.MIN_VALUE) {
      minEventTime = Math.min(minEventTime, eventTime);
      maxEventTime = Math.max(maxEventTime, eventTime);
    }
  }

  public long records() {
    return records;
  }

  public long firstOffset() {
    return first;
  }

  public long lastOffset() {
    return last;
  }

  /** Newest event time added, or Long.MIN_VALUE when none had one. */
  public long maxEventTime() {
    return maxEventTime;
  }

  /** The compressed object; no record can be added afterwards. */
  public byte[] finish() {
    if (done == null) {
      try {
        out.close();
        compressor.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      done = compressed.toByteArray();
    }
    return done;
  }

  /** The object's metadata; call after {@link #finish}. */
  public Map<String, String> metadata(String topic, int partition) {
    finish();
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(ArchiveMetadata.TOPIC, topic);
    meta.put(ArchiveMetadata.PARTITION, Integer.toString(partition));
    meta.put(ArchiveMetadata.FIRST_OFFSET, Long.toString(first));
    meta.put(ArchiveMetadata.LAST_OFFSET, Long.toString(last));
    meta.put(ArchiveMetadata.RECORDS, Long.toString(records));
    if (minEventTime != Long.MAX_VALUE) {
      meta.put(
          ArchiveMetadata.MIN_EVENT_TIME, java.time.Instant.ofEpochMilli(minEventTime).toString());
      meta.put(
          ArchiveMetadata.MAX_EVENT_TIME, java.time.Instant.ofEpochMilli(maxEventTime).toString());
    }
    meta.put(ArchiveMetadata.FORMAT, format.extension());
    meta.put(ArchiveMetadata.SOURCE_SHA256, HexFormat.of().formatHex(digest.digest()));
    return meta;
  }
}
