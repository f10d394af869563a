package io.insighthub.workers.aggregate;

import io.insighthub.crds.v1alpha1.AggregateSpec;
import io.insighthub.crds.v1alpha1.SessionizeSpec;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.streams.Durations;
import java.time.Duration;
import java.util.List;

/** What the aggregate stage needs from the worker configuration, checked and with defaults. */
record AggregateSettings(
    String validatedTopic,
    String sessionsTopic,
    String usageTopic,
    SessionizeSpec sessionize,
    AggregateSpec usage,
    Duration inactivityGap,
    Duration grace) {

  /** Field read for a session's platform (web, ios, android...); absent means unknown. */
  static final String PLATFORM_FIELD = "platform";

  /** Reads the settings; every problem found is added to {@code problems}, naming the field. */
  static AggregateSettings from(WorkerConfig config, List<String> problems) {
    String validated = config.kafka() == null ? null : config.kafka().validated();
    if (validated == null || validated.isBlank()) {
      problems.add("config.kafka.validated is missing: aggregate reads the validated topic");
    }
    List<TransformSpec> transforms = config.transforms() == null ? List.of() : config.transforms();
    List<TransformSpec> sessionizes =
        transforms.stream().filter(t -> t.type == TransformSpec.Type.SESSIONIZE).toList();
    List<TransformSpec> aggregates =
        transforms.stream().filter(t -> t.type == TransformSpec.Type.AGGREGATE).toList();
    if (sessionizes.size() != 1 || aggregates.size() != 1) {
      problems.add(
          "config.transforms must hold exactly one sessionize and one aggregate transform, found "
              + sessionizes.size()
              + " and "
              + aggregates.size());
      return null;
    }
    TransformSpec sessions = sessionizes.get(0);
    TransformSpec usage = aggregates.get(0);
    SessionizeSpec sessionize =
        sessions.sessionize != null ? sessions.sessionize : new SessionizeSpec();
    AggregateSpec aggregate = usage.aggregate != null ? usage.aggregate : new AggregateSpec();
    int index = transforms.indexOf(sessions);
    Duration gap = Duration.ofMinutes(30);
    try {
      gap =
          Durations.parse(
              sessionize.inactivityGap == null ? "30m" : sessionize.inactivityGap,
              "config.transforms[" + index + "].sessionize.inactivityGap");
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    String latenessText =
        config.quality() != null && config.quality().allowedLateness() != null
            ? config.quality().allowedLateness()
            : config.events() != null ? config.events().allowedLateness : "1h";
    Duration grace = Duration.ofHours(1);
    try {
      grace = Durations.parse(latenessText, "config.quality.allowedLateness");
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    if (aggregate.windows == null || aggregate.windows.isEmpty()) {
      problems.add(
          "config.transforms[" + transforms.indexOf(usage) + "].aggregate.windows is empty");
    }
    return new AggregateSettings(
        validated,
        config.transformTopic(sessions.name),
        config.transformTopic(usage.name),
        sessionize,
        aggregate,
        gap,
        grace);
  }
}
