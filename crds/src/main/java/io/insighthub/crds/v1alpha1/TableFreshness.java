package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Freshness of one warehouse table, from the latest watermark its loader published. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TableFreshness {
  @JsonPropertyDescription("Table, as SCHEMA.TABLE; the raw archive as its s3:// location.")
  public String table;

  @JsonPropertyDescription("Newest event time loaded into the table (RFC 3339).")
  public String maxEventTime;

  @JsonPropertyDescription(
      "CDC tables: the table holds every change committed in the source up to this instant (RFC"
          + " 3339), proven by the connector's heartbeats; later than maxEventTime when the table"
          + " had no change since.")
  public String completeAsOf;

  @JsonPropertyDescription(
      "Seconds between now and the newer of maxEventTime and completeAsOf when status was"
          + " written.")
  public Long lagSeconds;

  @JsonPropertyDescription("SLA in seconds this table is held to.")
  public Long slaSeconds;

  @JsonPropertyDescription("When the loader last committed a batch to this table (RFC 3339).")
  public String lastLoadTime;

  @JsonPropertyDescription("Rows loaded in the last reporting interval.")
  public Long rowsLastInterval;

  @JsonPropertyDescription("Whether lagSeconds is within slaSeconds.")
  public Boolean withinSla;
}
