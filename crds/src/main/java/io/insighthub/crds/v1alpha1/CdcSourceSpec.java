package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** What to capture from a PostgreSQL database, and where its changes are loaded. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.signalTable) || !(self.signalTable in self.tables)",
    message =
        "spec.signalTable: the signal table must not also be captured in spec.tables; remove it"
            + " from tables",
    reason = "FieldValueInvalid")
public class CdcSourceSpec {
  /** Debezium snapshot modes offered. */
  public enum SnapshotMode {
    /** Snapshot existing rows once, then stream changes. */
    @JsonProperty("initial")
    INITIAL,
    /** Stream changes only; existing rows are not read. */
    @JsonProperty("no_data")
    NO_DATA,
    /** Snapshot when no offsets exist or they are no longer available in the WAL. */
    @JsonProperty("when_needed")
    WHEN_NEEDED,
    /** Snapshot and stop. */
    @JsonProperty("initial_only")
    INITIAL_ONLY,
    /** Snapshot at every start. */
    @JsonProperty("always")
    ALWAYS
  }

  /** What happens in the warehouse when a source row is deleted. */
  public enum DeleteMode {
    /** Set _deleted = true and keep the row. */
    @JsonProperty("soft")
    SOFT,
    /** Delete the row. */
    @JsonProperty("hard")
    HARD
  }

  @Required
  @JsonPropertyDescription("The PostgreSQL server and database; credentials come from a Secret.")
  public DatabaseSpec database;

  @Required
  @Size(min = 1, max = 200)
  @ValidationRule(
      value = Validation.TABLES_RULE,
      message = "spec.tables: each entry must be schema.table, for example public.accounts",
      reason = "FieldValueInvalid")
  @JsonPropertyDescription("Tables to capture, as schema.table (e.g. public.invoices).")
  public List<@Size(max = 127) String> tables = new ArrayList<>();

  @Required
  @Size(min = 1, max = 63)
  @Pattern("^[a-z0-9_]+$")
  @ValidationRule(
      value = "self == oldSelf",
      message =
          "spec.slotName is immutable: a renamed slot would re-snapshot and leave the old slot"
              + " pinning WAL; create a new CdcSource instead",
      reason = "FieldValueForbidden")
  @JsonPropertyDescription(
      "Logical replication slot name (lower case, digits, underscore). Immutable; the slot is"
          + " dropped when the CdcSource is deleted.")
  public String slotName;

  @Required
  @Size(min = 1, max = 63)
  @Pattern("^[a-z0-9_]+$")
  @ValidationRule(
      value = "self == oldSelf",
      message =
          "spec.publicationName is immutable; create a new CdcSource to use another publication",
      reason = "FieldValueForbidden")
  @JsonPropertyDescription("PostgreSQL publication for the captured tables. Immutable.")
  public String publicationName;

  @Default("initial")
  @JsonPropertyDescription(
      "Debezium snapshot.mode: initial, no_data, when_needed, initial_only or always.")
  public SnapshotMode snapshotMode = SnapshotMode.INITIAL;

  @Default("10s")
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @JsonPropertyDescription(
      "Debezium heartbeat interval; keeps the slot advancing when captured tables are quiet, and"
          + " lets cdc-load prove quiet tables up to date (their lag stays near this interval):"
          + " keep it well below the streaming SLA.")
  public String heartbeatInterval = "10s";

  @Size(max = 127)
  @Pattern("^[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*$")
  @JsonPropertyDescription(
      "Debezium signal table (schema.table) for incremental snapshots; omit to disable signals.")
  public String signalTable;

  @Size(max = 200)
  @Pattern("^[A-Za-z0-9._-]+$")
  @JsonPropertyDescription(
      "Prefix of the change topics (<prefix>.<schema>.<table>); defaults to <namespace>.<name>.")
  public String topicPrefix;

  @Required
  @Size(min = 1, max = 63)
  @Pattern(Validation.DNS_LABEL_PATTERN)
  @JsonPropertyDescription(
      "Strimzi KafkaConnect cluster that runs the connector (its strimzi.io/cluster label).")
  public String connectCluster;

  @Default("10Gi")
  @Size(max = 32)
  @Pattern("^[0-9]+(Ki|Mi|Gi|Ti)?$")
  @JsonPropertyDescription(
      "WAL retained by the slot above which ReplicationSlotHealthy turns False (a stuck slot"
          + " fills the database disk).")
  public String maxRetainedWal = "10Gi";

  @JsonPropertyDescription(
      "Columns holding personal data (schema.table.column) and their action; the connector"
          + " hashes, masks or drops them before they reach Kafka.")
  public PiiSpec pii;

  @Required
  @JsonPropertyDescription("Warehouse target of the cdc-load worker.")
  public SinkSpec sink;

  @Default("soft")
  @JsonPropertyDescription(
      "Deleted source rows: soft (kept with _deleted = true) or hard (removed).")
  public DeleteMode deleteMode = DeleteMode.SOFT;

  @Default("{}")
  @JsonPropertyDescription("Replicas and resources of the cdc-load worker.")
  public WorkerSpec loader = new WorkerSpec();

  @Default("false")
  @JsonPropertyDescription(
      "Stop the connector (state stopped) and the loader without deleting anything; resuming"
          + " continues from the stored offsets and slot position.")
  public Boolean suspend = false;
}
