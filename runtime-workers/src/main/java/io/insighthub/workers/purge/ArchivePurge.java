package io.insighthub.workers.purge;

import io.insighthub.crds.worker.Lifecycle;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.files.archive.ArchiveCodec;
import io.insighthub.workers.files.archive.ArchiveLayout;
import io.insighthub.workers.files.archive.ArchiveMetadata;
import io.insighthub.workers.files.archive.ArchiveRecord;
import io.insighthub.workers.files.archive.ObjectWriter;
import io.insighthub.workers.files.archive.S3Store;
import io.insighthub.workers.warehouse.WarehouseLifecycle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * pii-purge's work on the raw archive: objects of an hour before {@code now − purgeAfterDays}
 * (rounded up to the hour) are rewritten with the PII rules applied, as {@code
 * <partition>-<first>-<last>.pii-purged.<ext>}, then the original is deleted; objects of an hour
 * before {@code now − retentionDays} are deleted. Every step can be redone: a purged copy written
 * before a kill is found next to its original and the original deleted; an object already purged is
 * skipped by its name; each object's action is recorded in OPS.AUDIT once. Only the days that can
 * hold such objects are listed: those since the last run's cutoff ({@link PurgeState}), and the
 * objects late markers name.
 */
final class ArchivePurge {
  private static final Logger LOG = LoggerFactory.getLogger(ArchivePurge.class);

  /** What the run did to the archive. */
  static final class Result {
    long purgedObjects;
    long purgedRecords;
    long purgedBytes;
    long deletedObjects;
    long deletedBytes;
    Instant piiCutoff;
    Instant oldestRawPii;
    final List<String> problems = new ArrayList<>();
  }

  private final S3Store store;
  private final Lifecycle.Archive archive;
  private final PiiRules rules;
  private final int purgeAfterDays;
  private final AuditTrail audit;
  private final Clock clock;
  private final Result result = new Result();

  /**
   * @param rules null when the Pipeline declares no PII: only retention is enforced
   */
  ArchivePurge(
      S3Store store,
      Lifecycle.Archive archive,
      PiiRules rules,
      int purgeAfterDays,
      AuditTrail audit,
      Clock clock) {
    this.store = store;
    this.archive = archive;
    this.rules = rules;
    this.purgeAfterDays = purgeAfterDays;
    this.audit = audit;
    this.clock = clock;
  }

  Result run() {
    Instant now = clock.instant();
    Instant piiCutoff = rules == null ? null : ceilHour(now.minus(Duration.ofDays(purgeAfterDays)));
    Instant expiry =
        now.minus(Duration.ofDays(archive.retentionDays())).truncatedTo(ChronoUnit.HOURS);
    result.piiCutoff = piiCutoff;
    result.oldestRawPii = piiCutoff;
    PurgeState state = readState();
    String prefix = archive.prefix();
    for (String root : List.of("", ArchiveLayout.UNTIMED)) {
      for (String dayPrefix : store.prefixes(prefix + root)) {
        Optional<LocalDate> day = ArchiveLayout.day(dayPrefix);
        if (day.isEmpty()
            || !dayPrefix.substring(prefix.length() + root.length()).startsWith("dt=")) {
          continue;
        }
        Instant start = day.get().atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant end = start.plus(Duration.ofDays(1));
        boolean expires = start.isBefore(expiry);
        boolean purges =
            piiCutoff != null
                && start.isBefore(piiCutoff)
                && (state == null
                    || state.piiPurgedBefore() == null
                    || end.isAfter(state.piiPurgedBefore()));
        if (expires || purges) {
          handle(store.list(dayPrefix), piiCutoff, expiry);
        }
      }
    }
    LocalDate markersFrom =
        state == null || state.markersThrough() == null
            ? LocalDate.MIN
            : state.markersThrough().minusDays(1);
    for (String arrived : store.prefixes(prefix + ArchiveLayout.LATE_MARKERS)) {
      Optional<LocalDate> day = arrivedDay(arrived);
      if (day.isPresent() && !day.get().isBefore(markersFrom)) {
        markers(store.list(arrived), piiCutoff, expiry);
      }
    }
    if (result.problems.isEmpty()) {
      writeState(
          new PurgeState(piiCutoff, now.atOffset(ZoneOffset.UTC).toLocalDate(), audit.runId()));
    }
    return result;
  }

  /** The objects of one listing, an original and its purged copy together. */
  private void handle(List<S3Object> listed, Instant piiCutoff, Instant expiry) {
    Map<String, ArchiveLayout.ObjectKey[]> byOriginal = new TreeMap<>();
    Map<String, Long> sizes = new HashMap<>();
    for (S3Object object : listed) {
      ArchiveLayout.parse(archive.prefix(), object.key())
          .ifPresent(
              key -> {
                sizes.put(key.key(), object.size());
                var pair =
                    byOriginal.computeIfAbsent(
                        key.originalKey(), k -> new ArchiveLayout.ObjectKey[2]);
                pair[key.purged() ? 1 : 0] = key;
              });
    }
    byOriginal.forEach((original, pair) -> act(pair[0], pair[1], sizes, piiCutoff, expiry));
  }

  private void act(
      ArchiveLayout.ObjectKey original,
      ArchiveLayout.ObjectKey purged,
      Map<String, Long> sizes,
      Instant piiCutoff,
      Instant expiry) {
    ArchiveLayout.ObjectKey any = original != null ? original : purged;
    try {
      if (any.hour().isBefore(expiry)) {
        for (ArchiveLayout.ObjectKey key : new ArchiveLayout.ObjectKey[] {original, purged}) {
          if (key != null) {
            long bytes = sizes.getOrDefault(key.key(), 0L);
            audit.once(
                "archive",
                WarehouseLifecycle.DELETE_EXPIRED,
                key.key(),
                key.hour(),
                key.hour().plus(Duration.ofHours(1)),
                key.last() - key.first() + 1,
                bytes,
                "{\"retentionDays\":" + archive.retentionDays() + "}");
            store.delete(key.key());
            result.deletedObjects++;
            result.deletedBytes += bytes;
          }
        }
        return;
      }
      if (piiCutoff == null || original == null || !original.hour().isBefore(piiCutoff)) {
        return;
      }
      if (purged == null) {
        purge(original);
      } else {
        // A purged copy written before a kill: the original only remains to be deleted.
        audit.once(
            "archive",
            WarehouseLifecycle.PURGE_PII,
            original.key(),
            original.hour(),
            original.hour().plus(Duration.ofHours(1)),
            original.last() - original.first() + 1,
            sizes.getOrDefault(original.key(), 0L),
            "{\"purgedKey\":\"" + purged.key() + "\"}");
        store.delete(original.key());
        result.purgedObjects++;
      }
    } catch (RuntimeException e) {
      LOG.warn("archive object {} not handled: {}", any.key(), e.toString());
      result.problems.add("archive object " + any.key() + ": " + e.getClass().getSimpleName());
      if (piiCutoff != null && any.hour().isBefore(result.oldestRawPii) && !any.purged()) {
        result.oldestRawPii = any.hour();
      }
    }
  }

  /** Rewrites one object with the PII rules applied, then deletes the original. */
  private void purge(ArchiveLayout.ObjectKey key) {
    Optional<S3Store.Stored> stored = store.get(key.key());
    if (stored.isEmpty()) {
      return; // deleted meanwhile
    }
    List<ArchiveRecord> records = ArchiveCodec.records(key.format(), stored.get().bytes());
    ObjectWriter writer = new ObjectWriter(key.format());
    long unreadable = 0;
    for (ArchiveRecord record : records) {
      ArchiveRecord minimized = rules.minimize(record);
      if (ArchiveRecord.UNREADABLE.equals(minimized.purged())) {
        unreadable++;
      }
      writer.add(minimized, Long.MIN_VALUE);
    }
    byte[] bytes = writer.finish();
    Map<String, String> metadata = new LinkedHashMap<>(stored.get().metadata());
    metadata.put(ArchiveMetadata.PURGED_BY, audit.runId() + "@" + clock.instant());
    store.put(key.purgedKey(), bytes, metadata);
    Instant from =
        Optional.ofNullable(metadata.get(ArchiveMetadata.MIN_EVENT_TIME))
            .map(Instant::parse)
            .orElse(key.hour());
    audit.once(
        "archive",
        WarehouseLifecycle.PURGE_PII,
        key.key(),
        from,
        key.hour().plus(Duration.ofHours(1)),
        records.size(),
        stored.get().bytes().length,
        "{\"purgedKey\":\""
            + key.purgedKey()
            + "\",\"records\":"
            + records.size()
            + ",\"valuesRemoved\":"
            + unreadable
            + "}");
    store.delete(key.key());
    result.purgedObjects++;
    result.purgedRecords += records.size();
    result.purgedBytes += stored.get().bytes().length;
  }

  /** Objects that late markers name, then the markers. */
  private void markers(List<S3Object> markers, Instant piiCutoff, Instant expiry) {
    for (S3Object marker : markers) {
      String objectKey = ArchiveLayout.objectOfMarker(archive.prefix(), marker.key());
      Optional<ArchiveLayout.ObjectKey> key = ArchiveLayout.parse(archive.prefix(), objectKey);
      if (key.isEmpty()) {
        store.delete(marker.key());
        continue;
      }
      int before = result.problems.size();
      Map<String, Long> sizes = new HashMap<>();
      ArchiveLayout.ObjectKey original = null;
      ArchiveLayout.ObjectKey purged = null;
      for (String candidate : List.of(key.get().originalKey(), key.get().purgedKey())) {
        var found = store.metadata(candidate);
        if (found.isPresent()) {
          var parsed = ArchiveLayout.parse(archive.prefix(), candidate).orElseThrow();
          sizes.put(candidate, 0L);
          if (parsed.purged()) {
            purged = parsed;
          } else {
            original = parsed;
          }
        }
      }
      if (original != null || purged != null) {
        act(original, purged, sizes, piiCutoff, expiry);
      }
      if (result.problems.size() == before) {
        store.delete(marker.key());
      }
    }
  }

  private static Optional<LocalDate> arrivedDay(String prefix) {
    int at = prefix.lastIndexOf("arrived=");
    if (at < 0 || prefix.length() < at + 18) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(prefix.substring(at + 8, at + 18)));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private PurgeState readState() {
    return store
        .get(archive.prefix() + ArchiveLayout.PURGE_STATE)
        .map(
            stored -> {
              try {
                return ConfigLoader.JSON.readValue(stored.bytes(), PurgeState.class);
              } catch (IOException e) {
                LOG.warn("the purge state is unreadable, listing every day: {}", e.toString());
                return null;
              }
            })
        .orElse(null);
  }

  private void writeState(PurgeState state) {
    try {
      store.put(
          archive.prefix() + ArchiveLayout.PURGE_STATE,
          ConfigLoader.JSON.writeValueAsBytes(state),
          Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Instant ceilHour(Instant at) {
    Instant hour = at.truncatedTo(ChronoUnit.HOURS);
    return hour.equals(at) ? hour : hour.plus(Duration.ofHours(1));
  }
}
