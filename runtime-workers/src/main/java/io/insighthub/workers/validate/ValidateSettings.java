package io.insighthub.workers.validate;

import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.rows.PiiMinimizer;
import io.insighthub.workers.streams.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the validate stage needs from the worker configuration, checked and with defaults. */
record ValidateSettings(
    String rawTopic,
    String validatedTopic,
    String dlqTopic,
    String lateTopic,
    EventsSource events,
    SchemaDriftCheck.Policy driftPolicy,
    Duration allowedLateness,
    Duration dedupWindow,
    int maxEventBytes,
    List<PiiField> piiFields,
    byte[] hmacKey) {

  /** Events further in the future than this (by wall clock) are rejected, not trusted as time. */
  static final Duration MAX_FUTURE_SKEW = Duration.ofDays(1);

  /** Reads the settings; every problem found is added to {@code problems}, naming the field. */
  static ValidateSettings from(WorkerConfig config, List<String> problems) {
    WorkerConfig.Kafka kafka = config.kafka();
    String raw = topic(kafka == null ? null : kafka.raw(), "raw", problems);
    String validated = topic(kafka == null ? null : kafka.validated(), "validated", problems);
    String dlq = topic(kafka == null ? null : kafka.dlq(), "dlq", problems);
    String late = topic(kafka == null ? null : kafka.late(), "late", problems);
    EventsSource events = config.events();
    if (events == null || events.fields == null || events.fields.isEmpty()) {
      problems.add("config.events is missing: validate needs the event schema (events.fields)");
      return null;
    }
    if (events.eventTimeField == null || events.eventTimeField.isBlank()) {
      problems.add("config.events.eventTimeField is missing: name the event-time field");
    }
    if (events.eventIdField == null || events.eventIdField.isBlank()) {
      problems.add("config.events.eventIdField is missing: name the event-id field");
    }
    WorkerConfig.Quality quality = config.quality();
    Duration lateness =
        duration(
            quality != null && quality.allowedLateness() != null
                ? quality.allowedLateness()
                : events.allowedLateness,
            quality != null && quality.allowedLateness() != null
                ? "config.quality.allowedLateness"
                : "config.events.allowedLateness",
            "1h",
            problems);
    Duration window =
        duration(
            quality != null && quality.dedupWindow() != null
                ? quality.dedupWindow()
                : events.dedupWindow,
            quality != null && quality.dedupWindow() != null
                ? "config.quality.dedupWindow"
                : "config.events.dedupWindow",
            "10m",
            problems);
    SchemaDriftCheck.Policy policy =
        quality != null && quality.schemaDrift() != null
            ? quality.schemaDrift()
            : SchemaDriftCheck.Policy.EVOLVE;
    int maxBytes = events.maxEventBytes == null ? 1 << 20 : events.maxEventBytes;
    if (maxBytes < 2) {
      problems.add("config.events.maxEventBytes must be positive, got " + maxBytes);
    }
    List<PiiField> pii = new ArrayList<>();
    byte[] key = null;
    if (config.pii() != null && config.pii().fields() != null) {
      for (int i = 0; i < config.pii().fields().size(); i++) {
        PiiField field = config.pii().fields().get(i);
        if (field == null || field.field == null || field.action == null) {
          problems.add("config.pii.fields[" + i + "] needs a field and an action");
        } else {
          pii.add(field);
        }
      }
      if (pii.stream().anyMatch(f -> f.action == PiiField.Action.HASH)) {
        key = PiiMinimizer.readKey(config.pii().hashKeyFile(), problems);
      }
    }
    return new ValidateSettings(
        raw, validated, dlq, late, events, policy, lateness, window, maxBytes, pii, key);
  }

  private static String topic(String name, String layer, List<String> problems) {
    if (name == null || name.isBlank()) {
      problems.add("config.kafka." + layer + " is missing: name the " + layer + " topic");
    }
    return name;
  }

  private static Duration duration(
      String text, String field, String fallback, List<String> problems) {
    try {
      Duration d = Durations.parse(text == null ? fallback : text, field);
      if (d.isZero()) {
        problems.add(field + " must be longer than 0");
      }
      return d;
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
      return Duration.ZERO;
    }
  }
}
