package io.insighthub.crds.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * What one batch-ingest run did, carried by the watermark of its table so the operator can show it
 * in the Pipeline's status. Object keys, counts and reason codes only: never a row value.
 *
 * @param startedAt when the run started
 * @param finishedAt when it ended
 * @param outcome how it ended
 * @param message one line for status, e.g. {@code 2 files loaded (80,412 rows), 1 quarantined}
 * @param filesLoaded files whose rows committed in this run
 * @param rows rows those files loaded (after the last-one-wins of repeated keys)
 * @param rowsQuarantined rows set aside in OPS.QUARANTINE
 * @param duplicates rows dropped because a later row of the same file had the same key
 * @param filesQuarantined files quarantined whole (corrupt, drifted, re-delivered, out of range)
 * @param problems the files quarantined or failed, with the reason (at most {@link #MAX_PROBLEMS})
 * @param lifecycle the source bucket's expiry of old files, for a source declaring PII; null when
 *     not checked
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchRun(
    Instant startedAt,
    Instant finishedAt,
    Outcome outcome,
    String message,
    int filesLoaded,
    long rows,
    long rowsQuarantined,
    long duplicates,
    int filesQuarantined,
    List<FileProblem> problems,
    SourceLifecycle lifecycle) {

  /** Files listed in {@link #problems}; the rest are counted, and all are in OPS.FILE_MANIFEST. */
  public static final int MAX_PROBLEMS = 20;

  public BatchRun {
    problems = problems == null ? List.of() : List.copyOf(problems);
  }

  /** How a run ended. */
  public enum Outcome {
    /** Every file loaded or was quarantined for its data. */
    SUCCEEDED,
    /** A file could not be read or written for another reason; the Job fails and retries. */
    FAILED,
    /** A halt policy (schema drift, or a quality check with action halt) stopped the run. */
    HALTED
  }

  /**
   * One file that did not load.
   *
   * @param file the object, {@code s3://bucket/key}
   * @param reason the reason code, e.g. {@code CORRUPT_FILE}, and what was found
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FileProblem(String file, String reason) {}

  /**
   * Whether the source bucket expires the files the stage reads, as its lifecycle configuration
   * says: raw PII must not stay past {@code maxDays}.
   *
   * @param expiresAfterDays the shortest expiration (days) of an enabled rule covering the prefix;
   *     null when none does
   * @param maxDays the limit it is held to (the raw layer's 30 days)
   * @param compliant whether files older than {@code maxDays} are expired
   * @param message what was found, or why it could not be read
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SourceLifecycle(
      Integer expiresAfterDays, int maxDays, boolean compliant, String message) {}
}
