package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.Condition;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.PurgeRunStatus;
import io.insighthub.crds.worker.BatchRun;
import io.insighthub.crds.worker.Lifecycle;
import io.insighthub.crds.worker.PurgeReport;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.operator.common.Conditions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code PiiRetentionMet} of a Pipeline with PII: whether any layer may hold raw PII older than
 * {@value Lifecycle#MAX_PII_DAYS} days, from the retention the operator renders for its Kafka
 * topics and the latest pii-purge report (the oldest raw PII the archive and RAW tables kept after
 * the run, by event time: a bound the run guarantees, not a scan). What a purge left ages from then
 * on, so a purge that stops running turns the condition False once that age passes the limit;
 * before any report, the archive counts as old as the Pipeline. A batch source's bucket counts by
 * the expiry its lifecycle configuration sets, as the latest batch-ingest run read it.
 */
public final class PiiRetention {
  public static final String REASON_WITHIN = "RawPiiWithinLimit";
  public static final String REASON_OVER = "RawPiiOverLimit";
  public static final String REASON_NOT_READ = "PurgeReportsNotRead";

  static final Duration LIMIT = Duration.ofDays(Lifecycle.MAX_PII_DAYS);

  /**
   * @param condition the condition; null when the Pipeline declares no PII
   * @param nextChange when the condition turns False without a new report; null if never
   * @param lastPurge the last run, for status; null before the first
   */
  public record Verdict(Condition condition, Instant nextChange, PurgeRunStatus lastPurge) {}

  /** One place raw PII may be, and the oldest it may hold there. */
  private record Layer(String name, Instant oldest, boolean ages) {
    Duration age(Instant now) {
      return Duration.between(oldest, now).isNegative()
          ? Duration.ZERO
          : Duration.between(oldest, now);
    }
  }

  private PiiRetention() {}

  static boolean applies(Pipeline pipeline) {
    var pii = pipeline.getSpec().pii;
    return pii != null && pii.fields != null && !pii.fields.isEmpty();
  }

  /**
   * @param report the latest purge report; empty when none was read (or none since creation)
   * @param watermarks the latest watermarks of the Pipeline's tables (a batch source's carry its
   *     bucket's lifecycle)
   * @param tracked whether the operator reads the reports at all
   */
  public static Verdict evaluate(
      ResolvedPipeline resolved,
      Optional<PurgeReport> report,
      Collection<Watermark> watermarks,
      boolean tracked,
      Instant now) {
    Pipeline pipeline = resolved.pipeline();
    Instant created = Instant.parse(pipeline.getMetadata().getCreationTimestamp());
    Optional<PurgeReport> current = report.filter(r -> !r.finishedAt().isBefore(created));
    PurgeRunStatus lastPurge = current.map(PiiRetention::status).orElse(null);
    if (!applies(pipeline)) {
      return new Verdict(null, null, lastPurge);
    }
    Lifecycle lifecycle = resolved.workerConfig().lifecycle();
    boolean purged = lifecycle != null && lifecycle.archive() != null;
    if (!tracked && purged) {
      return new Verdict(
          Conditions.unknown(
              CrdConstants.CONDITION_PII_RETENTION_MET,
              REASON_NOT_READ,
              "The operator reads no pii-purge reports (no watermark topic configured); the"
                  + " archive's raw PII age is unknown"),
          null,
          null);
    }
    List<Layer> layers = new ArrayList<>();
    if (lifecycle != null) {
      for (Lifecycle.Topic topic : lifecycle.piiTopics()) {
        Instant oldest = later(created, now.minus(Duration.ofDays(topic.retentionDays())));
        layers.add(new Layer("topic " + topic.topic(), oldest, false));
      }
    }
    List<String> problems = new ArrayList<>();
    if (current.isPresent()) {
      PurgeReport run = current.get();
      for (PurgeReport.LayerAge age : run.rawPii()) {
        if (age.oldest() == null) {
          continue;
        }
        switch (age.layer()) {
          case "kafka" -> {
            // The broker's retention, as verified by the run: a bound, not an age that grows.
            Duration retention = Duration.between(age.oldest(), run.finishedAt());
            layers.removeIf(l -> l.name().equals("topic " + age.location()));
            layers.add(
                new Layer("topic " + age.location(), later(created, now.minus(retention)), false));
          }
          case "archive" -> layers.add(new Layer("archive " + age.location(), age.oldest(), true));
          default ->
              layers.add(new Layer(age.layer() + " table " + age.location(), age.oldest(), true));
        }
      }
      run.problems().stream().filter(p -> p.startsWith("topic ")).forEach(problems::add);
    } else if (purged) {
      layers.add(new Layer("archive " + lifecycle.archive().location(), created, true));
    }
    String bucketNote = sourceBucket(pipeline, watermarks, created, now, layers, problems);
    if (purged && layers.stream().noneMatch(l -> l.name().startsWith("archive "))) {
      layers.add(new Layer("archive " + lifecycle.archive().location(), created, true));
    }
    List<Layer> over = layers.stream().filter(l -> l.age(now).compareTo(LIMIT) > 0).toList();
    String last =
        current
                .map(
                    r ->
                        "; last pii-purge run "
                            + r.runId()
                            + " finished "
                            + r.finishedAt()
                            + (r.succeeded() ? "" : " with failures"))
                .orElse(purged ? "; no pii-purge run has reported yet" : "")
            + bucketNote;
    Instant next =
        layers.stream()
            .filter(Layer::ages)
            .map(l -> l.oldest().plus(LIMIT))
            .filter(at -> at.isAfter(now))
            .min(Instant::compareTo)
            .orElse(null);
    if (!over.isEmpty() || !problems.isEmpty()) {
      List<String> parts = new ArrayList<>();
      over.forEach(l -> parts.add(l.name() + " may hold raw PII " + human(l.age(now)) + " old"));
      parts.addAll(problems);
      return new Verdict(
          Conditions.failed(
              CrdConstants.CONDITION_PII_RETENTION_MET,
              REASON_OVER,
              String.join("; ", parts) + " (limit " + Lifecycle.MAX_PII_DAYS + "d)" + last),
          null,
          lastPurge);
    }
    String oldest =
        layers.stream()
            // Whole days, so the message (and status) changes once a day, not every reconcile.
            .map(l -> l.name() + " " + l.age(now).toDays() + "d")
            .collect(Collectors.joining(", "));
    return new Verdict(
        Conditions.ok(
            CrdConstants.CONDITION_PII_RETENTION_MET,
            REASON_WITHIN,
            "No layer holds raw PII older than "
                + Lifecycle.MAX_PII_DAYS
                + "d"
                + (oldest.isEmpty() ? "" : ": " + oldest)
                + last),
        next,
        lastPurge);
  }

  /**
   * A batch source's bucket as a layer (bounded by its expiry, which does not age) or a problem
   * (files kept past the limit, or a lifecycle that could not be read); returns a note for the
   * message while no batch-ingest run has reported it.
   */
  private static String sourceBucket(
      Pipeline pipeline,
      Collection<Watermark> watermarks,
      Instant created,
      Instant now,
      List<Layer> layers,
      List<String> problems) {
    var batch = pipeline.getSpec().source.batch;
    if (batch == null) {
      return "";
    }
    String name = "source bucket " + batch.uri;
    Optional<BatchRun.SourceLifecycle> read =
        watermarks.stream()
            .filter(w -> w.batchRun() != null && w.batchRun().lifecycle() != null)
            .filter(w -> w.loadTime() != null && !w.loadTime().isBefore(created))
            .max(Comparator.comparing(Watermark::loadTime))
            .map(w -> w.batchRun().lifecycle());
    if (read.isEmpty()) {
      return "; " + name + ": no batch-ingest run has reported its lifecycle yet";
    }
    BatchRun.SourceLifecycle lifecycle = read.get();
    if (!lifecycle.compliant() || lifecycle.expiresAfterDays() == null) {
      problems.add(
          name
              + (lifecycle.message() != null
                  ? ": " + lifecycle.message()
                  : " does not expire files within " + Lifecycle.MAX_PII_DAYS + " days"));
      return "";
    }
    layers.add(
        new Layer(
            name, later(created, now.minus(Duration.ofDays(lifecycle.expiresAfterDays()))), false));
    return "";
  }

  private static PurgeRunStatus status(PurgeReport report) {
    PurgeRunStatus status = new PurgeRunStatus();
    status.runId = report.runId();
    status.finishedAt = report.finishedAt().toString();
    status.succeeded = report.succeeded();
    status.message = report.message();
    return status;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** 31d 2h, 7d, 5h, 12m: days and hours, or minutes under an hour. */
  static String human(Duration age) {
    long days = age.toDays();
    long hours = age.toHoursPart();
    if (days > 0) {
      return days + "d" + (hours > 0 ? " " + hours + "h" : "");
    }
    return hours > 0 ? hours + "h" : age.toMinutesPart() + "m";
  }
}
