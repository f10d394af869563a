package io.insighthub.crds.worker;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * What a loader publishes to {@link WorkerConfig#WATERMARK_TOPIC} after each committed batch, keyed
 * by {@link #key()} so the compacted topic keeps the latest per table (DESIGN.md section 7).
 *
 * @param namespace namespace of the Pipeline (or CdcSource)
 * @param pipeline name of the Pipeline (or CdcSource) whose loader wrote the table
 * @param table the warehouse table, SCHEMA.TABLE
 * @param maxEventTime newest event time (or source commit time, for CDC) now in the table
 * @param loadTime when the batch was committed to the warehouse
 * @param rows rows the batch wrote
 * @param qualityFailures checks that failed in this batch (or interval)
 * @param quality the QualityRule checks evaluated on this batch (or interval); absent when none
 * @param caughtUpTo CDC only: the table holds every change committed in the source up to this
 *     instant, as proven by a Debezium heartbeat the loader read and every table topic loaded up to
 *     the end offsets seen after it; newer than {@code maxEventTime} when the table had no change
 *     since. Absent when unknown (and from loaders that do not prove it); readers that do not know
 *     the field ignore it
 * @param batchRun batch-ingest only: what the run that published this watermark did; absent from
 *     the other loaders
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Watermark(
    String namespace,
    String pipeline,
    String table,
    Instant maxEventTime,
    Instant loadTime,
    long rows,
    long qualityFailures,
    List<QualityResult> quality,
    Instant caughtUpTo,
    BatchRun batchRun) {

  /**
   * Prefix of the {@link #table()} of a record that reports only quality results of a stage (e.g.
   * {@code quality:validate}): no table was loaded, so freshness never reads it.
   */
  public static final String QUALITY_ONLY_PREFIX = "quality:";

  public Watermark {
    quality = quality == null ? null : List.copyOf(quality);
  }

  /** A watermark without a batch run. */
  public Watermark(
      String namespace,
      String pipeline,
      String table,
      Instant maxEventTime,
      Instant loadTime,
      long rows,
      long qualityFailures,
      List<QualityResult> quality,
      Instant caughtUpTo) {
    this(
        namespace,
        pipeline,
        table,
        maxEventTime,
        loadTime,
        rows,
        qualityFailures,
        quality,
        caughtUpTo,
        null);
  }

  /** A watermark with no completeness proof beyond its newest event. */
  public Watermark(
      String namespace,
      String pipeline,
      String table,
      Instant maxEventTime,
      Instant loadTime,
      long rows,
      long qualityFailures,
      List<QualityResult> quality) {
    this(namespace, pipeline, table, maxEventTime, loadTime, rows, qualityFailures, quality, null);
  }

  /** A load's watermark without quality results. */
  public Watermark(
      String namespace,
      String pipeline,
      String table,
      Instant maxEventTime,
      Instant loadTime,
      long rows,
      long qualityFailures) {
    this(namespace, pipeline, table, maxEventTime, loadTime, rows, qualityFailures, null, null);
  }

  /**
   * Quality results of one stage not tied to a load (validate's per-interval counts, a loader's
   * volume interval closing without a batch), under their own key so they never overwrite a table's
   * watermark.
   */
  public static Watermark qualityOnly(
      String namespace, String pipeline, String stage, Instant at, List<QualityResult> results) {
    long rows = results.stream().mapToLong(QualityResult::rows).max().orElse(0);
    long failures = results.stream().filter(r -> !r.passed()).count();
    return new Watermark(
        namespace, pipeline, QUALITY_ONLY_PREFIX + stage, null, at, rows, failures, results);
  }

  /** Whether this record reports quality results only, no load. */
  @JsonIgnore
  public boolean isQualityOnly() {
    return table != null && table.startsWith(QUALITY_ONLY_PREFIX);
  }

  /**
   * The instant up to which the table is known complete: the newer of {@link #maxEventTime} and
   * {@link #caughtUpTo}; null when neither is known.
   */
  @JsonIgnore
  public Instant completeAsOf() {
    if (caughtUpTo == null) {
      return maxEventTime;
    }
    return maxEventTime == null || caughtUpTo.isAfter(maxEventTime) ? caughtUpTo : maxEventTime;
  }

  /** The record key: one entry per table in the compacted topic. */
  public String key() {
    return namespace + "/" + pipeline + "/" + table;
  }
}
