package io.insighthub.workers.cdc;

import io.insighthub.workers.warehouse.Batch;
import io.insighthub.workers.warehouse.BatchResult;
import io.insighthub.workers.warehouse.ChangeSet;
import io.insighthub.workers.warehouse.Column;
import io.insighthub.workers.warehouse.ColumnType;
import io.insighthub.workers.warehouse.Identifiers;
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
    Map<String, SourceOffset> offsets = new LinkedHashMap<>();
    List<QuarantinedRecord> quarantined = new ArrayList<>();
    Map<TableId, List<Decoded>> byTable = new LinkedHashMap<>();
    int tombstones = 0;
    for (ConsumerRecord<String, String> record : records) {
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
    return new DecodedBatch(records.size(), tombstones, offsets, quarantined, byTable);
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
      decoded.event().row().keySet().stream()
          .filter(c -> !decoded.event().isDelete() || decoded.event().key().containsKey(c))
          .forEach(c -> wanted.putIfAbsent(normalize(c), decoded.event().types().get(c)));
    }
    List<Column> requested =
        wanted.entrySet().stream().map(e -> new Column(e.getKey(), e.getValue())).toList();
    Map<String, ColumnType> actual = warehouse.ensureCdcTable(table, requested, key);
    List<Column> columns =
        requested.stream().map(c -> new Column(c.name(), actual.get(c.name()))).toList();

    Map<List<Object>, List<Converted>> byKey = new LinkedHashMap<>();
    Instant maxSourceTime = null;
    for (Decoded decoded : events) {
      try {
        Converted converted = convert(decoded, columns, key);
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
          history.stream()
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

  private Converted convert(Decoded decoded, List<Column> columns, List<String> key) {
    ChangeEvent event = decoded.event();
    Map<String, Object> row = new HashMap<>();
    event.row().forEach((c, v) -> row.put(normalize(c), v));
    List<String> eventKey = event.key().keySet().stream().map(this::normalize).toList();
    if (!eventKey.equals(key)) {
      throw new BadRecordException(
          "primary key of "
              + event.sourceTable()
              + " changed from "
              + key
              + " to "
              + eventKey
              + " within one batch; the table's key must be stable");
    }
    Object[] values = new Object[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      Column column = columns.get(i);
      if (event.isDelete() && !key.contains(column.name())) {
        continue;
      }
      try {
        values[i] = column.type().convert(row.get(column.name()));
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
    for (String k : key) {
      keyValues.add(values[indexOf(columns, k)]);
    }
    Set<String> unchanged = new HashSet<>();
    event.unchanged().forEach(c -> unchanged.add(normalize(c)));
    List<Object> oldKeyValues = null;
    if (event.oldKey() != null) {
      Map<String, Object> old = new HashMap<>();
      event.oldKey().forEach((c, v) -> old.put(normalize(c), v));
      oldKeyValues = new ArrayList<>(key.size());
      for (String k : key) {
        oldKeyValues.add(columns.get(indexOf(columns, k)).type().convert(old.get(k)));
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
    return normalized.computeIfAbsent(name, Identifiers::normalize);
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
