package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The last run of a batch Pipeline's batch-ingest job, as the job reported it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BatchRunStatus {
  @JsonPropertyDescription("When the run started (RFC 3339).")
  public String startedAt;

  @JsonPropertyDescription("When the run ended (RFC 3339).")
  public String finishedAt;

  @JsonPropertyDescription(
      "Succeeded, Failed (a file could not be read or written for a reason other than its data;"
          + " the Job retries) or Halted (a halt policy stopped the run).")
  public String outcome;

  @JsonPropertyDescription("What the run did, in one line.")
  public String message;

  @JsonPropertyDescription("Files whose rows were committed by the run.")
  public Integer filesLoaded;

  @JsonPropertyDescription("Rows those files loaded.")
  public Long rows;

  @JsonPropertyDescription("Rows set aside in OPS.QUARANTINE, with their reasons there.")
  public Long rowsQuarantined;

  @JsonPropertyDescription("Files quarantined whole (corrupt, drifted, re-delivered).")
  public Integer filesQuarantined;

  @JsonPropertyDescription(
      "Files that did not load and why (at most 20; all in OPS.FILE_MANIFEST).")
  public List<FileProblem> problems = new ArrayList<>();

  @JsonPropertyDescription(
      "For a source with PII: whether the source bucket's lifecycle configuration expires files"
          + " older than 30 days, as the job read it.")
  public String sourceLifecycle;

  /** One file that did not load. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class FileProblem {
    @JsonPropertyDescription("The object, s3://bucket/key.")
    public String file;

    @JsonPropertyDescription("The reason code and what was found, never a value.")
    public String reason;

    public FileProblem() {}

    public FileProblem(String file, String reason) {
      this.file = file;
      this.reason = reason;
    }
  }
}
