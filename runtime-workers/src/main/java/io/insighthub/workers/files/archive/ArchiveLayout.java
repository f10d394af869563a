package io.insighthub.workers.files.archive;

import io.insighthub.crds.v1alpha1.ArchiveSpec;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where archive objects live under a Pipeline's prefix, and what their keys say:
 *
 * <pre>
 * &lt;prefix&gt;dt=YYYY-MM-DD/hour=HH/&lt;partition&gt;-&lt;firstOffset&gt;-&lt;lastOffset&gt;.&lt;ext&gt;          by event hour (UTC)
 * &lt;prefix&gt;untimed/dt=YYYY-MM-DD/hour=HH/&lt;partition&gt;-&lt;first&gt;-&lt;last&gt;.&lt;ext&gt;          no usable event time: by Kafka timestamp
 * &lt;prefix&gt;...&lt;partition&gt;-&lt;first&gt;-&lt;last&gt;.pii-purged.&lt;ext&gt;                     the same records, PII minimized
 * &lt;prefix&gt;_lifecycle/late/arrived=YYYY-MM-DD/&lt;object key below prefix, / as ~&gt;   a marker of an object written a day or more after its hour
 * &lt;prefix&gt;_lifecycle/purge-state.json                                            how far pii-purge got
 * </pre>
 *
 * A key is derived from the partition and offsets of its records alone, so an archiver that retries
 * an upload writes the same key again; a backfill finds an hour's objects by listing its prefix.
 */
public final class ArchiveLayout {
  /** Root of the objects whose records have no usable event time. */
  public static final String UNTIMED = "untimed/";

  /** Root of the stages' own bookkeeping, never read as data. */
  public static final String LIFECYCLE = "_lifecycle/";

  public static final String LATE_MARKERS = LIFECYCLE + "late/";
  public static final String PURGE_STATE = LIFECYCLE + "purge-state.json";

  /** Infix of an object pii-purge rewrote: {@code 3-100-250.pii-purged.jsonl.gz}. */
  public static final String PURGED = "pii-purged";

  private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE;
  private static final Pattern KEY =
      Pattern.compile(
          "^(untimed/)?dt=(\\d{4}-\\d{2}-\\d{2})/hour=(\\d{2})/(\\d+)-(\\d+)-(\\d+)\\.(?:("
              + PURGED
              + ")\\.)?(jsonl\\.gz|jsonl\\.zst)$");

  private ArchiveLayout() {}

  /**
   * One archive object, as its key describes it.
   *
   * @param key the full key, prefix included
   * @param untimed whether its records had no usable event time (hour is then by Kafka timestamp)
   * @param hour the start of its hour (UTC)
   * @param partition the raw topic's partition
   * @param first the offset of its first record
   * @param last the offset of its last record
   * @param purged whether pii-purge rewrote it
   * @param format how it is compressed
   */
  public record ObjectKey(
      String key,
      boolean untimed,
      Instant hour,
      int partition,
      long first,
      long last,
      boolean purged,
      ArchiveSpec.Format format) {

    /** The key of this object's pii-purged version. */
    public String purgedKey() {
      return purged
          ? key
          : key.replace("." + format.extension(), "." + PURGED + "." + format.extension());
    }

    /** The key of the original this purged object replaced. */
    public String originalKey() {
      return purged ? key.replace("." + PURGED + ".", ".") : key;
    }
  }

  /** The key of the object holding a partition's offsets first..last of one hour. */
  public static String key(
      String prefix,
      boolean untimed,
      Instant hour,
      int partition,
      long first,
      long last,
      ArchiveSpec.Format format) {
    return hourPrefix(prefix, untimed, hour)
        + partition
        + "-"
        + first
        + "-"
        + last
        + "."
        + format.extension();
  }

  /** {@code <prefix>[untimed/]dt=YYYY-MM-DD/hour=HH/}. */
  public static String hourPrefix(String prefix, boolean untimed, Instant hour) {
    var at = hour.atOffset(ZoneOffset.UTC);
    return dayPrefix(prefix, untimed, at.toLocalDate())
        + "hour="
        + String.format("%02d", at.getHour())
        + "/";
  }

  /** {@code <prefix>[untimed/]dt=YYYY-MM-DD/}. */
  public static String dayPrefix(String prefix, boolean untimed, LocalDate day) {
    return prefix + (untimed ? UNTIMED : "") + "dt=" + DAY.format(day) + "/";
  }

  /** The day of a {@code dt=YYYY-MM-DD/} listing prefix, or empty for anything else. */
  public static Optional<LocalDate> day(String dayPrefix) {
    int at = dayPrefix.lastIndexOf("dt=");
    if (at < 0 || dayPrefix.length() < at + 13) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(dayPrefix.substring(at + 3, at + 13), DAY));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The start of the hour holding {@code millis} (UTC). */
  public static Instant hourOf(long millis) {
    return Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.HOURS);
  }

  /** What a key under {@code prefix} describes; empty for anything that is not an object. */
  public static Optional<ObjectKey> parse(String prefix, String key) {
    if (!key.startsWith(prefix)) {
      return Optional.empty();
    }
    Matcher m = KEY.matcher(key.substring(prefix.length()));
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      Instant hour =
          LocalDate.parse(m.group(2), DAY)
              .atStartOfDay()
              .plusHours(Integer.parseInt(m.group(3)))
              .toInstant(ZoneOffset.UTC);
      return Optional.of(
          new ObjectKey(
              key,
              m.group(1) != null,
              hour,
              Integer.parseInt(m.group(4)),
              Long.parseLong(m.group(5)),
              Long.parseLong(m.group(6)),
              m.group(7) != null,
              m.group(8).equals("jsonl.gz")
                  ? ArchiveSpec.Format.JSONL_GZIP
                  : ArchiveSpec.Format.JSONL_ZSTD));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The late-object marker of {@code objectKey}, under the day it was written. */
  public static String lateMarker(String prefix, LocalDate arrived, String objectKey) {
    return lateMarkerDay(prefix, arrived) + objectKey.substring(prefix.length()).replace('/', '~');
  }

  /** {@code <prefix>_lifecycle/late/arrived=YYYY-MM-DD/}. */
  public static String lateMarkerDay(String prefix, LocalDate arrived) {
    return prefix + LATE_MARKERS + "arrived=" + DAY.format(arrived) + "/";
  }

  /** The object key a late marker names. */
  public static String objectOfMarker(String prefix, String markerKey) {
    String name = markerKey.substring(markerKey.lastIndexOf('/') + 1);
    return prefix + name.replace('~', '/');
  }
}
