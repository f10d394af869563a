package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a Pipeline: conditions and per-table freshness. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PipelineStatus extends ResourceStatus {
  @JsonPropertyDescription("Freshness of each warehouse table the Pipeline loads.")
  public List<TableFreshness> freshness = new ArrayList<>();

  @JsonPropertyDescription("Lag of the stalest table, e.g. 43s; the Freshness printer column.")
  public String worstLag;

  @JsonPropertyDescription("SLA the stalest table is held to, e.g. 2m; the SLA printer column.")
  public String sla;

  @JsonPropertyDescription(
      "Pipelines with PII, an archive or expiring tables: the last pii-purge run (see"
          + " PiiRetentionMet and OPS.AUDIT).")
  public PurgeRunStatus lastPurge;

  @JsonPropertyDescription(
      "Batch sources: the last run of the batch-ingest job (files, rows, quarantined files).")
  public BatchRunStatus lastBatchRun;

  @JsonPropertyDescription("Names of the Kafka topics the Pipeline owns, by layer.")
  public List<String> topics = new ArrayList<>();
}
