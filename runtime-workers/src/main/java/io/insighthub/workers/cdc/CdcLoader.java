package io.insighthub.workers.cdc;

import io.insighthub.workers.warehouse.Batch;
import io.insighthub.workers.warehouse.BatchResult;
import io.insighthub.workers.warehouse.ChangeSet;
import io.insighthub.workers.warehouse.Column;
import io.insighthub.workers.warehouse.ColumnType;
import io.insighthub.workers.warehouse.Identifiers;
import io.insighthub.workers.warehouse.LoaderPolling;
import io.insighthub.workers.warehouse.QuarantinedRecord;
import io.insighthub.workers.warehouse.SourceOffset;
import io.insighthub.workers.warehouse.TableId;
import io.insighthub.workers.warehouse.Warehouse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns one poll's worth of Debezium records into one warehouse transaction: decodes them, evolves
 * the target tables, collapses the changes per primary key to the newest source position, and
 * applies them with the consumed offsets. Records it cannot apply are quarantined, never dropped.
 */
public final class CdcLoader {
  private final Warehouse warehouse;
  private final String consumer;
  private final String targetSchema;
  private final Set<String> capturedTables;
  private final boolean softDeletes;
  private final DebeziumParser parser = new DebeziumParser();

  /** Warehouse tables by source table, computed once per table (decoding asks per record). */
  private final Map<String, TableId> targets = new java.util.concurrent.ConcurrentHashMap<>();

  /** Column names as the warehouse spells them, computed once per source name. */
  private final Map<String, String> normalized = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param consumer the loader's identity in OPS.OFFSETS
   * @param targetSchema warehouse schema of the CDC tables
   * @param capturedTables the CdcSource's tables, schema.table
   */
  public CdcLoader(
      Warehouse warehouse,
      String consumer,
      String targetSchema,
      List<String> capturedTables,
      boolean softDeletes) {
    this.warehouse = warehouse;
    this.consumer = consumer;
    this.targetSchema = targetSchema;
    this.capturedTables = Set.copyOf(capturedTables);
    this.softDeletes = softDeletes;
  }

  /** The warehouse table a source table lands in: the table name, schema-prefixed if not public. */
  public TableId target(String sourceTable) {
    TableId known = targets.get(sourceTable);
    return known != null ? known : targets.computeIfAbsent(sourceTable, CdcLoader.this::targetOf);
  }

  private TableId targetOf(String sourceTable) {
    int dot = sourceTable.indexOf('.');
    String schema = sourceTable.substring(0, dot);
    String table = sourceTable.substring(dot + 1);
    return new TableId(targetSchema, schema.equals("public") ? table : schema + "_" + table);
  }

  /** Applies the records and their offsets in one transaction; returns what it did. */
  public LoadReport load(List<ConsumerRecord<String, String>> records) {
    return apply(decode(records));
  }

  /**
   * The first half of {@link #load}: decodes the records and groups them by target table, without
   * touching the warehouse, so the stage can decode the next batch while this loader applies the
   * previous one.
   */
  public DecodedBatch decode(List<ConsumerRecord<String, String>> records) {
    Decoder decoder = decoder();
    decoder.add(records);
    return decoder.batch();
  }

  /** An empty batch to decode polls into as they arrive (see {@link #decode}). */
  public Decoder decoder() {
    return new Decoder();
  }

  /**
   * Decodes polls into one batch as they arrive, so the stage can decode while it waits for more
   * records or for the batch before to be applied.
   */
  public final class Decoder implements LoaderPolling.Batch {
    private final Map<String, SourceOffset> offsets = new LinkedHashMap<>();
    private final List<QuarantinedRecord> quarantined = new ArrayList<>();
    private final Map<TableId, List<Decoded>> byTable = new LinkedHashMap<>();
    private int records;
    private int tombstones;
    private long newestRecordMillis = Long.MIN_VALUE;
    private long connectorLagMillis;

    private Decoder() {}

    /** Decodes {@code polled} into this batch. */
    @Override
    public void add(Iterable<ConsumerRecord<String, String>> polled) {
      for (ConsumerRecord<String, String> record : polled) {
        records++;
        offsets.put(
            record.topic() + "/" + record.partition(),
            new SourceOffset(record.topic(), record.partition(), record.offset() + 1));
        try {
          var oldKey = record.headers().lastHeader(DebeziumParser.OLD_KEY_HEADER);
          Optional<ChangeEvent> event =
              parser.parse(
                  record.key(),
                  record.value(),
                  record.offset(),
                  oldKey == null || oldKey.value() == null
                      ? null
                      : new String(oldKey.value(), java.nio.charset.StandardCharsets.UTF_8));
          if (event.isEmpty()) {
            tombstones++;
            continue;
          }
          newestRecordMillis = Math.max(newestRecordMillis, record.timestamp());
          Instant sourceTime = event.get().sourceTime();
          if (sourceTime != null) {
            connectorLagMillis =
                Math.max(connectorLagMillis, record.timestamp() - sourceTime.toEpochMilli());
          }
          if (!capturedTables.contains(event.get().sourceTable())) {
            throw new BadRecordException(
                "table "
                    + event.get().sourceTable()
                    + " is not captured by this CdcSource (config.cdc.tables); add it to"
                    + " spec.tables or stop routing its topic here");
          }
          byTable
              .computeIfAbsent(target(event.get().sourceTable()), t -> new ArrayList<>())
              .add(new Decoded(record, event.get()));
        } catch (BadRecordException e) {
          quarantined.add(quarantine(record, e.getMessage()));
        }
      }
    }

    /** Records decoded so far. */
    @Override
    public int records() {
      return records;
    }

    /** The newest Kafka record time (epoch millis) of the changes decoded so far. */
    public long newestRecordMillis() {
      return newestRecordMillis;
    }

    /**
     * The largest connector lag of the changes decoded so far: Kafka record time minus source
     * commit time, in millis (0 when none was behind).
     */
    public long connectorLagMillis() {
      return connectorLagMillis;
    }

    /** What was decoded, to {@link #apply}. */
    public DecodedBatch batch() {
      return new DecodedBatch(records, tombstones, offsets, quarantined, byTable);
    }
  }

  /**
   * The second half of {@link #load}: evolves the tables, converts and collapses the changes and
   * applies them with the offsets in one transaction.
   */
  public LoadReport apply(DecodedBatch decoded) {
    List<QuarantinedRecord> quarantined = new ArrayList<>(decoded.quarantined());
    Map<TableId, List<Decoded>> byTable = decoded.byTable();
    Map<String, SourceOffset> offsets = decoded.offsets();
    List<ChangeSet> changeSets = new ArrayList<>();
    Map<TableId, TableStats> stats = new LinkedHashMap<>();
    for (var entry : byTable.entrySet()) {
      changeSets.add(changeSet(entry.getKey(), entry.getValue(), quarantined, stats));
    }
    BatchResult result =
        warehouse.apply(
            new Batch(consumer, changeSets, List.of(), quarantined, List.copyOf(offsets.values())));
    return new LoadReport(
        decoded.records(), decoded.tombstones(), quarantined.size(), result, stats);
  }

  private ChangeSet changeSet(
      TableId table,
      List<Decoded> events,
      List<QuarantinedRecord> quarantined,
      Map<TableId, TableStats> stats) {
    List<String> key =
        events.getFirst().event().key().keySet().stream().map(this::normalize).toList();
    LinkedHashMap<String, ColumnType> wanted = new LinkedHashMap<>();
    for (Decoded decoded : events) {
      ChangeEvent event = decoded.event();
      for (String c : event.row().keySet()) {
        if (!event.isDelete() || event.key().containsKey(c)) {
          wanted.putIfAbsent(normalize(c), event.types().get(c));
        }
      }
    }
    List<Column> requested =
        wanted.entrySet().stream().map(e -> new Column(e.getKey(), e.getValue())).toList();
    Map<String, ColumnType> actual = warehouse.ensureCdcTable(table, requested, key);
    List<Column> columns =
        requested.stream().map(c -> new Column(c.name(), actual.get(c.name()))).toList();

    Map<String, Integer> positions = HashMap.newHashMap(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      positions.put(columns.get(i).name(), i);
    }
    Map<List<Object>, List<Converted>> byKey = LinkedHashMap.newLinkedHashMap(events.size());
    Instant maxSourceTime = null;
    for (Decoded decoded : events) {
      try {
        Converted converted = convert(decoded, columns, positions, key);
        byKey.computeIfAbsent(converted.keyValues(), k -> new ArrayList<>()).add(converted);
        Instant time = decoded.event().sourceTime();
        if (time != null && (maxSourceTime == null || time.isAfter(maxSourceTime))) {
          maxSourceTime = time;
        }
      } catch (BadRecordException | ColumnType.ConversionException e) {
        quarantined.add(quarantine(decoded.record(), e.getMessage()));
      }
    }
    List<ChangeSet.Change> changes = new ArrayList<>(byKey.size());
    for (List<Converted> history : byKey.values()) {
      ChangeSet.Change change = collapse(history, columns);
      Converted newest =
          history.size() == 1
              ? history.getFirst()
              : history.stream()
                  .filter(c -> c.change().position().equals(change.position()))
                  .findFirst()
                  .orElseThrow();
      if (!change.delete() && !change.unchanged().isEmpty() && newest.oldKeyValues() != null) {
        changes.add(movedToast(table, change, newest.oldKeyValues(), byKey, columns, key));
      } else {
        changes.add(change);
      }
    }
    stats.put(table, new TableStats(events.size(), changes.size(), maxSourceTime));
    return new ChangeSet(table, columns, key, softDeletes, changes);
  }

  /**
   * One event as warehouse values aligned with {@code columns} ({@code positions}: column name to
   * index), its key values and, for the create half of a key change, its old key values.
   */
  private Converted convert(
      Decoded decoded, List<Column> columns, Map<String, Integer> positions, List<String> key) {
    ChangeEvent event = decoded.event();
    int k = 0;
    boolean sameKey = event.key().size() == key.size();
    for (String c : event.key().keySet()) {
      if (!sameKey || !normalize(c).equals(key.get(k++))) {
        sameKey = false;
        break;
      }
    }
    if (!sameKey) {
      List<String> eventKey = event.key().keySet().stream().map(this::normalize).toList();
      throw new BadRecordException(
          "primary key of "
              + event.sourceTable()
              + " changed from "
              + key
              + " to "
              + eventKey
              + " within one batch; the table's key must be stable");
    }
    // The event's values by column position (a later source name spelling the same warehouse
    // column wins, as it did when they went through a map by name).
    Object[] raw = new Object[columns.size()];
    for (Map.Entry<String, Object> entry : event.row().entrySet()) {
      Integer i = positions.get(normalize(entry.getKey()));
      if (i != null) {
        raw[i] = entry.getValue();
      }
    }
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      Column column = columns.get(i);
      if (raw[i] == null || (event.isDelete() && !key.contains(column.name()))) {
        continue;
      }
      try {
        values[i] = column.type().convert(raw[i]);
      } catch (ColumnType.ConversionException e) {
        throw new BadRecordException(
            "column "
                + event.sourceTable()
                + "."
                + column.name().toLowerCase(Locale.ROOT)
                + ": "
                + e.getMessage(),
            e);
      }
    }
    List<Object> keyValues = new ArrayList<>(key.size());
    for (String name : key) {
      keyValues.add(values[positions.get(name)]);
    }
    Set<String> unchanged;
    if (event.unchanged().isEmpty()) {
      unchanged = Set.of();
    } else {
      unchanged = new HashSet<>();
      for (String c : event.unchanged()) {
        unchanged.add(normalize(c));
      }
    }
    List<Object> oldKeyValues = null;
    if (event.oldKey() != null) {
      Map<String, Object> old = new HashMap<>();
      event.oldKey().forEach((c, v) -> old.put(normalize(c), v));
      oldKeyValues = new ArrayList<>(key.size());
      for (String name : key) {
        oldKeyValues.add(columns.get(positions.get(name)).type().convert(old.get(name)));
      }
    }
    return new Converted(
        keyValues,
        oldKeyValues,
        new ChangeSet.Change(
            event.isDelete(), values, unchanged, event.position(), event.sourceTime()));
  }

  /**
   * The newest change of one key. An unchanged TOAST column takes the value an older change in the
   * same batch carried, unless a delete came in between.
   */
  static ChangeSet.Change collapse(List<Converted> history, List<Column> columns) {
    if (history.size() == 1) {
      return history.getFirst().change();
    }
    List<ChangeSet.Change> ordered =
        history.stream()
            .map(Converted::change)
            .sorted(Comparator.comparing(ChangeSet.Change::position))
            .toList();
    ChangeSet.Change current = null;
    for (ChangeSet.Change next : ordered) {
      if (current != null && !current.delete() && !next.delete() && !next.unchanged().isEmpty()) {
        next = carryForward(current, next, columns);
      }
      current = next;
    }
    return current;
  }

  private static ChangeSet.Change carryForward(
      ChangeSet.Change older, ChangeSet.Change newer, List<Column> columns) {
    Set<String> stillUnchanged = new HashSet<>(newer.unchanged());
    Object[] values = newer.values().clone();
    for (String column : newer.unchanged()) {
      if (!older.unchanged().contains(column)) {
        int i = indexOf(columns, column);
        values[i] = older.values()[i];
        stillUnchanged.remove(column);
      }
    }
    return new ChangeSet.Change(
        false, values, stillUnchanged, newer.position(), newer.sourceTime());
  }

  /**
   * The create half of a primary-key change whose TOAST columns did not change: Debezium sends the
   * placeholder, and the value lives under the old key, in this batch or in the warehouse.
   */
  private ChangeSet.Change movedToast(
      TableId table,
      ChangeSet.Change change,
      List<Object> oldKeyValues,
      Map<List<Object>, List<Converted>> byKey,
      List<Column> columns,
      List<String> key) {
    Object[] values = change.values().clone();
    Set<String> unresolved = new HashSet<>(change.unchanged());
    List<ChangeSet.Change> oldHistory =
        byKey.getOrDefault(oldKeyValues, List.of()).stream()
            .map(Converted::change)
            .filter(c -> !c.delete() && c.position().compareTo(change.position()) < 0)
            .sorted(Comparator.comparing(ChangeSet.Change::position).reversed())
            .toList();
    for (String column : change.unchanged()) {
      for (ChangeSet.Change older : oldHistory) {
        if (!older.unchanged().contains(column)) {
          values[indexOf(columns, column)] = older.values()[indexOf(columns, column)];
          unresolved.remove(column);
          break;
        }
      }
    }
    if (!unresolved.isEmpty()) {
      List<String> wanted = List.copyOf(unresolved);
      Optional<Map<String, Object>> stored = warehouse.row(table, key, oldKeyValues, wanted);
      if (stored.isPresent()) {
        for (String column : wanted) {
          values[indexOf(columns, column)] = stored.get().get(column);
          unresolved.remove(column);
        }
      }
    }
    return new ChangeSet.Change(false, values, unresolved, change.position(), change.sourceTime());
  }

  private String normalize(String name) {
    String known = normalized.get(name);
    return known != null ? known : normalized.computeIfAbsent(name, Identifiers::normalize);
  }

  private static int indexOf(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("no column " + name);
  }

  private QuarantinedRecord quarantine(ConsumerRecord<String, String> record, String reason) {
    return new QuarantinedRecord(
        record.topic(), record.partition(), record.offset(), record.key(), record.value(), reason);
  }

  record Decoded(ConsumerRecord<String, String> record, ChangeEvent event) {}

  /** One poll's records decoded: offsets to store, records to quarantine, events per table. */
  public record DecodedBatch(
      int records,
      int tombstones,
      Map<String, SourceOffset> offsets,
      List<QuarantinedRecord> quarantined,
      Map<TableId, List<Decoded>> byTable) {}

  record Converted(List<Object> keyValues, List<Object> oldKeyValues, ChangeSet.Change change) {}

  /** Records per table in the batch, changes after collapsing, newest source commit time. */
  public record TableStats(long events, long collapsed, Instant maxSourceTime) {}

  /** What one load did. */
  public record LoadReport(
      int records,
      int tombstones,
      int quarantined,
      BatchResult result,
      Map<TableId, TableStats> tables) {}
}
