package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a Backfill: phase, chunk counts, rows and plan. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackfillStatus extends ResourceStatus {
  /** Life-cycle phases. */
  public enum Phase {
    Pending,
    Running,
    Suspended,
    Succeeded,
    Failed
  }

  @JsonPropertyDescription("Pending, Running, Suspended, Succeeded or Failed.")
  public Phase phase;

  @JsonPropertyDescription("Chunks in the plan.")
  public Integer chunksTotal;

  @JsonPropertyDescription("Chunks loaded and merged.")
  public Integer chunksDone;

  @JsonPropertyDescription("Chunks that failed; a retry re-runs only these.")
  public Integer chunksFailed;

  @JsonPropertyDescription("done/total, e.g. 120/365; the Progress printer column.")
  public String progress;

  @JsonPropertyDescription("Rows loaded so far.")
  public Long rows;

  @JsonPropertyDescription("Estimated completion time (RFC 3339).")
  public String eta;

  @JsonPropertyDescription("When the first chunk started (RFC 3339).")
  public String startTime;

  @JsonPropertyDescription("When the last chunk finished (RFC 3339).")
  public String completionTime;

  @JsonPropertyDescription("Indexes of failed chunks.")
  public List<Integer> failedChunks = new ArrayList<>();

  @JsonPropertyDescription("The chunk plan; written for dryRun and kept for reference.")
  public List<Chunk> plan = new ArrayList<>();

  /** One planned chunk. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Chunk {
    @JsonPropertyDescription("Job completion index of this chunk.")
    public Integer index;

    @JsonPropertyDescription("Start, inclusive (RFC 3339).")
    public String from;

    @JsonPropertyDescription("End, exclusive (RFC 3339).")
    public String to;

    @JsonPropertyDescription("Rows the chunk is expected to load.")
    @JsonProperty("expectedRows")
    public Long expectedRows;
  }
}
