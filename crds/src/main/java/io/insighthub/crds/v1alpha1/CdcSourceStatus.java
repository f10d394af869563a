package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Observed state of a CdcSource: connector, streaming and replication slot health. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CdcSourceStatus extends ResourceStatus {
  @JsonPropertyDescription(
      "Connector state reported by Kafka Connect: RUNNING, PAUSED, STOPPED, FAILED.")
  public String connectorState;

  @JsonPropertyDescription("Source time of the newest change event seen (RFC 3339).")
  public String lastEventTime;

  @JsonPropertyDescription("WAL retained by the replication slot, e.g. 120Mi.")
  public String slotLag;

  @JsonPropertyDescription("WAL retained by the replication slot, in bytes.")
  public Long slotLagBytes;

  @JsonPropertyDescription("Names of the change topics, one per captured table.")
  public List<String> topics = new ArrayList<>();
}
