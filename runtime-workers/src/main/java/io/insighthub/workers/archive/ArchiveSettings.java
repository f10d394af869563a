package io.insighthub.workers.archive;

import io.insighthub.crds.worker.Lifecycle;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.streams.Durations;
import java.time.Duration;
import java.util.List;

/** What the archive stage needs from the worker configuration, checked. */
record ArchiveSettings(
    String namespace,
    String pipeline,
    String rawTopic,
    String watermarkTopic,
    Lifecycle.Archive archive,
    Duration maxObjectAge) {

  /** A range touching more hours than this is written at once (a backlog of old events). */
  static final int MAX_HOURS_PER_RANGE = 64;

  /** Objects written this long after their hour leave a marker for pii-purge to find them. */
  static final Duration LATE_MARKER_AFTER = Duration.ofDays(1);

  static ArchiveSettings from(WorkerConfig config, List<String> problems) {
    String raw = config.kafka() == null ? null : config.kafka().raw();
    if (raw == null || raw.isBlank()) {
      problems.add("config.kafka.raw is missing: name the raw topic to archive");
    }
    Lifecycle.Archive archive = config.lifecycle() == null ? null : config.lifecycle().archive();
    if (archive == null) {
      problems.add(
          "config.lifecycle.archive is missing: the Pipeline declares no spec.archive, so there is"
              + " nothing to archive to");
      return null;
    }
    if (archive.bucket() == null || archive.bucket().isBlank() || archive.prefix() == null) {
      problems.add("config.lifecycle.archive.bucket and .prefix are required");
    }
    if (archive.format() == null) {
      problems.add("config.lifecycle.archive.format is missing: jsonl.gz or jsonl.zst");
    }
    if (archive.eventTimeField() == null || archive.eventTimeField().isBlank()) {
      problems.add("config.lifecycle.archive.eventTimeField is missing: name the event-time field");
    }
    if (archive.maxObjectBytes() < 1) {
      problems.add("config.lifecycle.archive.maxObjectBytes must be positive");
    }
    Duration age = Duration.ofMinutes(5);
    try {
      age =
          Durations.parse(
              archive.maxObjectAge() == null ? "5m" : archive.maxObjectAge(),
              "config.lifecycle.archive.maxObjectAge");
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    String watermarks =
        config.kafka() != null && config.kafka().watermarks() != null
            ? config.kafka().watermarks()
            : WorkerConfig.WATERMARK_TOPIC;
    return new ArchiveSettings(
        config.namespace(), config.pipeline(), raw, watermarks, archive, age);
  }
}
