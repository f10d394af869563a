package io.insighthub.crds.worker;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

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
 * @param qualityFailures QualityRule violations found in the batch
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
    long qualityFailures) {

  /** The record key: one entry per table in the compacted topic. */
  public String key() {
    return namespace + "/" + pipeline + "/" + table;
  }
}
