package io.insighthub.workers.load;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insighthub.workers.warehouse.Batch;
import io.insighthub.workers.warehouse.BatchResult;
import io.insighthub.workers.warehouse.Column;
import io.insighthub.workers.warehouse.ColumnType;
import io.insighthub.workers.warehouse.Identifiers;
import io.insighthub.workers.warehouse.LoaderPolling;
import io.insighthub.workers.warehouse.QuarantinedRecord;
import io.insighthub.workers.warehouse.RowSet;
import io.insighthub.workers.warehouse.SourceOffset;
import io.insighthub.workers.warehouse.TableId;
import io.insighthub.workers.warehouse.Warehouse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Loads JSON records (validated events, sessions, aggregates) into their tables, one warehouse
 * transaction per batch with the consumed offsets, so replays never double a row: events are merged
 * on their event id (or appended, refused once their offsets are stored), sessions and aggregates
 * on their key, the newest record of a key winning; a tombstone on a keyed topic (a session merged
 * into another) deletes its row.
 */
public final class EventLoader {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Marks a key whose newest record was a tombstone. */
  private static final Object[] DELETED = new Object[0];

  /**
   * Where one topic's records go.
   *
   * @param topic the Kafka topic
   * @param table the warehouse table
   * @param key the merge key: fields of the record value (e.g. event_id); empty to take the fields
   *     of the JSON record key (as Kafka Streams writes sessions and aggregates)
   * @param eventTimeField the field whose newest value is the watermark's event time, or null
   * @param append insert the rows instead of merging them on {@code key} (the sink's {@code append}
   *     mode: events deduplicated upstream, replays kept out by the offsets stored with each
   *     batch); {@code key} still collapses repeats within one batch
   */
  public record Target(
      String topic, TableId table, List<String> key, String eventTimeField, boolean append) {
    /** A target merged on {@code key}. */
    public Target(String topic, TableId table, List<String> key, String eventTimeField) {
      this(topic, table, key, eventTimeField, false);
    }
  }

  private final Warehouse warehouse;
  private final String consumer;
  private final Map<String, Target> targets = new HashMap<>();

  /** Field name → column name; bounded, since drifting names are user input. */
  private final Map<String, String> columnNames = new HashMap<>();

  private static final int MAX_CACHED_NAMES = 10_000;

  public EventLoader(Warehouse warehouse, String consumer, List<Target> targets) {
    this.warehouse = warehouse;
    this.consumer = consumer;
    targets.forEach(t -> this.targets.put(t.topic(), t));
  }

  /** Applies the records and their offsets in one transaction; returns what each table got. */
  public Report load(List<ConsumerRecord<String, String>> records) {
    Decoder decoder = decoder();
    decoder.add(records);
    return apply(decoder.batch());
  }

  /** A batch being read: its records parsed as they are polled, before any warehouse work. */
  public Decoder decoder() {
    return new Decoder();
  }

  /**
   * Writes a decoded batch in one transaction with its offsets: the rows of each table typed to its
   * columns (created or widened first), refused if the stored offsets are already past it.
   */
  public Report apply(Decoded decoded) {
    List<QuarantinedRecord> quarantined = new ArrayList<>(decoded.quarantined());
    List<RowSet> rowSets = new ArrayList<>();
    for (var entry : decoded.byTarget().entrySet()) {
      rowSets.add(rowSet(entry.getKey(), entry.getValue(), quarantined));
    }
    BatchResult result =
        warehouse.apply(
            new Batch(
                consumer, List.of(), rowSets, quarantined, decoded.offsets(), decoded.from()));
    Map<TableId, Instant> eventTimes = new HashMap<>();
    rowSets.forEach(r -> eventTimes.put(r.table(), r.maxEventTime()));
    return new Report(decoded.records(), quarantined.size(), result, eventTimes, rowSets);
  }

  /**
   * Parses records as they come (the JSON work, no warehouse call), so a stage can read the next
   * batch while the current one is written. One thread at a time.
   */
  public final class Decoder implements LoaderPolling.Batch {
    /** The first and last offset read per partition, by "topic/partition", in first-seen order. */
    private final Map<String, Range> ranges = new LinkedHashMap<>();

    private final List<QuarantinedRecord> quarantined = new ArrayList<>();
    private final Map<Target, List<Parsed>> byTarget = new LinkedHashMap<>();
    private int records;

    /** The range of the partition of the previous record: polls hand out runs of one partition. */
    private Range current;

    private Decoder() {}

    @Override
    public void add(Iterable<ConsumerRecord<String, String>> polled) {
      for (ConsumerRecord<String, String> record : polled) {
        records++;
        if (current == null
            || current.partition != record.partition()
            || !current.topic.equals(record.topic())) {
          current =
              ranges.computeIfAbsent(
                  record.topic() + "/" + record.partition(),
                  k -> new Range(record.topic(), record.partition(), record.offset()));
        }
        current.last = record.offset();
        Target target = targets.get(record.topic());
        try {
          if (target == null) {
            throw new IllegalArgumentException(
                "no table is configured for topic " + record.topic());
          }
          Parsed parsed = parse(record, target);
          byTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(parsed);
        } catch (RuntimeException e) {
          quarantined.add(quarantine(record, e.getMessage()));
        }
      }
    }

    /** Records added so far. */
    @Override
    public int records() {
      return records;
    }

    /** The batch read so far, for {@link #apply}. */
    public Decoded batch() {
      List<SourceOffset> next = new ArrayList<>(ranges.size());
      List<SourceOffset> from = new ArrayList<>(ranges.size());
      for (Range range : ranges.values()) {
        next.add(new SourceOffset(range.topic, range.partition, range.last + 1));
        from.add(new SourceOffset(range.topic, range.partition, range.first));
      }
      return new Decoded(
          records, next, from, List.copyOf(quarantined), new LinkedHashMap<>(byTarget));
    }
  }

  /** The offsets of one partition's records in a batch. */
  private static final class Range {
    final String topic;
    final int partition;
    final long first;
    long last;

    Range(String topic, int partition, long first) {
      this.topic = topic;
      this.partition = partition;
      this.first = first;
    }
  }

  /**
   * A parsed batch: the next offset and the first offset per partition, the records that could not
   * be read, and the parsed records of each target.
   */
  public record Decoded(
      int records,
      List<SourceOffset> offsets,
      List<SourceOffset> from,
      List<QuarantinedRecord> quarantined,
      Map<Target, List<Parsed>> byTarget) {}

  private Parsed parse(ConsumerRecord<String, String> record, Target target) {
    // A tombstone deletes the row its JSON key names (a session merged into another one).
    boolean tombstone = record.value() == null;
    if (tombstone && !target.key().isEmpty()) {
      throw new IllegalArgumentException("record has no value");
    }
    LinkedHashMap<String, Object> fields =
        tombstone ? new LinkedHashMap<>() : readFields(record.value());
    List<String> key = new ArrayList<>();
    if (target.key().isEmpty()) {
      JsonNode recordKey = record.key() == null ? null : read(record.key(), "key");
      if (recordKey == null || !recordKey.isObject() || recordKey.isEmpty()) {
        throw new IllegalArgumentException("record key is not a JSON object naming the row's key");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = recordKey.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        key.add(Identifiers.normalize(field.getKey()));
        fields.putIfAbsent(Identifiers.normalize(field.getKey()), plain(field.getValue()));
      }
    } else {
      target.key().forEach(k -> key.add(Identifiers.normalize(k)));
    }
    for (String k : key) {
      if (fields.get(k) == null) {
        throw new IllegalArgumentException("record has no value for key field " + k.toLowerCase());
      }
    }
    return new Parsed(record, key, fields, tombstone);
  }

  /** {@link Identifiers#normalize}, remembered for the names seen most. */
  private String column(String field) {
    String name = columnNames.get(field);
    if (name == null) {
      name = Identifiers.normalize(field);
      if (columnNames.size() < MAX_CACHED_NAMES) {
        columnNames.put(field, name);
      }
    }
    return name;
  }

  private RowSet rowSet(Target target, List<Parsed> records, List<QuarantinedRecord> quarantined) {
    List<String> key = records.getFirst().key();
    LinkedHashMap<String, ColumnType> wanted = new LinkedHashMap<>();
    for (Parsed parsed : records) {
      parsed
          .fields()
          .forEach(
              (name, value) -> {
                if (!wanted.containsKey(name)) {
                  wanted.put(name, infer(value));
                }
              });
    }
    List<Column> requested =
        wanted.entrySet().stream().map(e -> new Column(e.getKey(), e.getValue())).toList();
    Map<String, ColumnType> actual = warehouse.ensureTable(target.table(), requested, key);
    List<Column> columns =
        requested.stream().map(c -> new Column(c.name(), actual.get(c.name()))).toList();
    int[] keyIndexes = key.stream().mapToInt(k -> indexOf(columns, k)).toArray();
    // The newest record of a key wins (records arrive in offset order per partition).
    Map<List<Object>, Object[]> rows = new LinkedHashMap<>();
    Instant maxEventTime = null;
    String timeField =
        target.eventTimeField() == null ? null : Identifiers.normalize(target.eventTimeField());
    for (Parsed parsed : records) {
      try {
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
          row[i] = columns.get(i).type().convert(parsed.fields().get(columns.get(i).name()));
        }
        List<Object> keyValues = new ArrayList<>(keyIndexes.length);
        for (int k : keyIndexes) {
          keyValues.add(row[k]);
        }
        rows.remove(keyValues);
        rows.put(keyValues, parsed.tombstone() ? DELETED : row);
        if (timeField != null && parsed.fields().get(timeField) instanceof String time) {
          Instant at = EventTimes.parse(time);
          maxEventTime = maxEventTime == null || at.isAfter(maxEventTime) ? at : maxEventTime;
        }
      } catch (RuntimeException e) {
        quarantined.add(quarantine(parsed.record(), e.getMessage()));
      }
    }
    List<Object[]> upserts = new ArrayList<>();
    List<List<Object>> deletes = new ArrayList<>();
    rows.forEach(
        (keyValues, row) -> {
          if (row == DELETED) {
            deletes.add(keyValues);
          } else {
            upserts.add(row);
          }
        });
    // An empty key makes the warehouse append the rows rather than merge them.
    return new RowSet(
        target.table(), columns, target.append() ? List.of() : key, upserts, maxEventTime, deletes);
  }

  /** The column type for a value as {@link #readFields} gives it. */
  private static ColumnType infer(Object value) {
    return switch (value) {
      case Boolean b -> ColumnType.BOOLEAN;
      case Long l -> ColumnType.BIGINT;
      case Double d -> ColumnType.DOUBLE;
      case null, default -> ColumnType.VARCHAR;
    };
  }

  /**
   * The fields of a record value, by column name, read in one streaming pass: strings, booleans and
   * nulls as they are, integers that fit a long as Long, other numbers as Double, objects and
   * arrays as their compact JSON text; what {@link #plain} makes of the tree nodes, without the
   * tree. A value that is not an object has no fields; anything after the first value is ignored
   * (as {@code readTree} does).
   */
  private LinkedHashMap<String, Object> readFields(String text) {
    LinkedHashMap<String, Object> fields = new LinkedHashMap<>();
    try (JsonParser parser = JSON.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        if (parser.currentToken() != null) {
          parser.skipChildren();
        }
        return fields;
      }
      for (JsonToken token = parser.nextToken();
          token == JsonToken.FIELD_NAME;
          token = parser.nextToken()) {
        String name = column(parser.currentName());
        fields.put(name, value(parser, parser.nextToken()));
      }
      return fields;
    } catch (Exception e) {
      throw new IllegalArgumentException("record value is not JSON");
    }
  }

  private static Object value(JsonParser parser, JsonToken token) throws java.io.IOException {
    return switch (token) {
      case VALUE_STRING -> parser.getText();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case VALUE_NUMBER_INT ->
          parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              ? (Object) parser.getBigIntegerValue().doubleValue()
              : (Object) parser.getLongValue();
      case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
      case START_OBJECT, START_ARRAY -> parser.readValueAsTree().toString();
      default -> throw new IllegalArgumentException("unexpected " + token);
    };
  }

  private static Object plain(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return value.longValue();
    }
    if (value.isNumber()) {
      return value.doubleValue();
    }
    return value.isTextual() ? value.asText() : value.toString();
  }

  private static int indexOf(List<Column> columns, String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalStateException("no column " + name);
  }

  private static JsonNode read(String text, String what) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException("record " + what + " is not JSON");
    }
  }

  private static QuarantinedRecord quarantine(ConsumerRecord<String, String> record, String why) {
    return new QuarantinedRecord(
        record.topic(), record.partition(), record.offset(), record.key(), record.value(), why);
  }

  record Parsed(
      ConsumerRecord<String, String> record,
      List<String> key,
      Map<String, Object> fields,
      boolean tombstone) {}

  /**
   * What one load did, with the newest event time per table for the watermarks and the rows
   * written, for the quality checks.
   */
  public record Report(
      int records,
      int quarantined,
      BatchResult result,
      Map<TableId, Instant> maxEventTimes,
      List<RowSet> rowSets) {}
}
