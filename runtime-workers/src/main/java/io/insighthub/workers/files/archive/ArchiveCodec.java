package io.insighthub.workers.files.archive;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import io.insighthub.crds.v1alpha1.ArchiveSpec;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** The compression of archive objects, by format; the same input always compresses the same. */
public final class ArchiveCodec {
  /** zstd's default level: about as small as gzip's, several times faster. */
  static final int ZSTD_LEVEL = 3;

  private ArchiveCodec() {}

  public static OutputStream compress(ArchiveSpec.Format format, OutputStream out)
      throws IOException {
    return switch (format) {
      case JSONL_GZIP -> new GZIPOutputStream(out, 64 * 1024);
      case JSONL_ZSTD -> new ZstdOutputStream(out, ZSTD_LEVEL);
    };
  }

  public static InputStream decompress(ArchiveSpec.Format format, InputStream in)
      throws IOException {
    return switch (format) {
      case JSONL_GZIP -> new GZIPInputStream(in, 64 * 1024);
      case JSONL_ZSTD -> new ZstdInputStream(in);
    };
  }

  /** The uncompressed bytes of an object. */
  public static byte[] uncompressed(ArchiveSpec.Format format, byte[] object) {
    try (InputStream in = decompress(format, new ByteArrayInputStream(object))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("an archive object cannot be decompressed", e);
    }
  }

  /** The records of an object, in order. */
  public static List<ArchiveRecord> records(ArchiveSpec.Format format, byte[] object) {
    List<ArchiveRecord> records = new ArrayList<>();
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(
                decompress(format, new ByteArrayInputStream(object)), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (!line.isEmpty()) {
          records.add(ArchiveRecord.read(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("an archive object cannot be read", e);
    }
    return records;
  }
}
