package io.insighthub.workers.cdc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insighthub.workers.warehouse.ColumnType;
import io.insighthub.workers.warehouse.Position;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decodes Debezium PostgreSQL change events written by the JSON converter, with or without the
 * schema in the payload. With a schema, Debezium's logical types (dates, timestamps, decimals)
 * decide the column types; without one, the JSON value types do.
 */
public final class DebeziumParser {
  /** What Debezium sends for a TOAST column whose value did not change. */
  public static final String UNAVAILABLE = "__debezium_unavailable_value";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The header Debezium puts on the create half of a primary-key change: the old key. */
  public static final String OLD_KEY_HEADER = "__debezium.oldkey";

  /** Decodes one record; empty for a tombstone (a null value, which follows a delete). */
  public Optional<ChangeEvent> parse(String key, String value, long kafkaOffset) {
    return parse(key, value, kafkaOffset, null);
  }

  /**
   * Decodes one record with its {@code __debezium.oldkey} header (JSON, as Connect's default
   * SimpleHeaderConverter or the JsonConverter write it), null when absent.
   */
  public Optional<ChangeEvent> parse(String key, String value, long kafkaOffset, String oldKey) {
    if (value == null) {
      return Optional.empty();
    }
    JsonNode envelope;
    Map<String, JsonNode> rowSchema = Map.of();
    int payloadStart = payloadStart(value);
    if (payloadStart > 0) {
      // The JSON converter's {"schema":{...},"payload":{...}}: the schema repeats the same ~1 KB
      // in every record of a table, so it is parsed once per distinct text and only the payload
      // is read here (parsing the schema was half of cdc-load's time, see BENCHMARKS.md).
      Schema schema = schema(value, payloadStart);
      envelope = read(value.substring(payloadStart, value.lastIndexOf('}')), "value");
      String side = "d".equals(envelope.path("op").asText()) ? "before" : "after";
      rowSchema = side.equals("before") ? schema.before() : schema.after();
    } else {
      envelope = read(value, "value");
      if (envelope.has("schema") && envelope.has("payload")) {
        JsonNode schema = envelope.get("schema");
        envelope = envelope.get("payload");
        String side = "d".equals(envelope.path("op").asText()) ? "before" : "after";
        rowSchema = fieldSchemas(schema, side);
      }
    }
    if (envelope == null || envelope.isNull()) {
      return Optional.empty();
    }
    String op = envelope.path("op").asText("");
    if (!Set.of("r", "c", "u", "d").contains(op)) {
      throw new BadRecordException(
          "not a Debezium change event: op is '" + op + "' (expected r, c, u or d)");
    }
    JsonNode source = envelope.path("source");
    if (!source.hasNonNull("schema") || !source.hasNonNull("table")) {
      throw new BadRecordException("change event without source.schema and source.table");
    }
    String table = source.get("schema").asText() + "." + source.get("table").asText();
    JsonNode image = envelope.get(op.equals("d") ? "before" : "after");
    if (image == null || !image.isObject()) {
      throw new BadRecordException(
          "change event for "
              + table
              + " has no "
              + (op.equals("d") ? "before" : "after")
              + " row");
    }
    LinkedHashMap<String, Object> row = new LinkedHashMap<>();
    Map<String, ColumnType> types = new HashMap<>();
    Set<String> unchanged = new HashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = image.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String column = field.getKey();
      JsonNode fieldValue = field.getValue();
      if (fieldValue.isTextual() && fieldValue.asText().equals(UNAVAILABLE)) {
        unchanged.add(column);
      }
      JsonNode fieldSchema = rowSchema.get(column);
      ColumnType type =
          fieldSchema != null ? typeOf(fieldSchema, table, column) : infer(fieldValue);
      types.put(column, type);
      row.put(
          column,
          unchanged.contains(column) ? null : valueOf(fieldValue, fieldSchema, table, column));
    }
    LinkedHashMap<String, Object> keyValues = key(key, table, row);
    long lsn = source.path("lsn").asLong(0);
    long txOrder = envelope.path("transaction").path("total_order").asLong(0);
    Instant sourceTime =
        source.hasNonNull("ts_ms") ? Instant.ofEpochMilli(source.get("ts_ms").asLong()) : null;
    return Optional.of(
        new ChangeEvent(
            table,
            op,
            keyValues,
            row,
            types,
            unchanged,
            new Position(lsn, txOrder, kafkaOffset),
            sourceTime,
            oldKey == null ? null : oldKey(oldKey, table)));
  }

  private static final String SCHEMA_PREFIX = "{\"schema\":";
  private static final String PAYLOAD_FIELD = ",\"payload\":";

  /** The field schemas of both row images of one envelope schema. */
  private record Schema(String text, Map<String, JsonNode> before, Map<String, JsonNode> after) {}

  /** The schemas seen last, by text; a loader sees one per captured table (and per change). */
  private final Map<String, Schema> schemas =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Schema> eldest) {
          return size() > 256;
        }
      };

  /** The schema of the previous record, whose text most records repeat. */
  private volatile Schema last;

  /**
   * {@link #schemaEnd}, first trying the previous record's schema text: a vectorized comparison
   * instead of a scan character by character.
   */
  private int payloadStart(String value) {
    Schema previous = last;
    if (previous != null) {
      int end = SCHEMA_PREFIX.length() + previous.text().length();
      if (value.startsWith(SCHEMA_PREFIX)
          && value.startsWith(previous.text(), SCHEMA_PREFIX.length())
          && value.startsWith(PAYLOAD_FIELD, end)
          && value.endsWith("}")) {
        return end + PAYLOAD_FIELD.length();
      }
    }
    return schemaEnd(value);
  }

  private synchronized Schema schema(String value, int payloadStart) {
    Schema previous = last;
    if (previous != null
        && payloadStart
            == SCHEMA_PREFIX.length() + previous.text().length() + PAYLOAD_FIELD.length()
        && value.startsWith(previous.text(), SCHEMA_PREFIX.length())) {
      return previous;
    }
    String text = value.substring(SCHEMA_PREFIX.length(), payloadStart - PAYLOAD_FIELD.length());
    Schema known = schemas.get(text);
    if (known == null) {
      JsonNode node = read(text, "value schema");
      known = new Schema(text, fieldSchemas(node, "before"), fieldSchemas(node, "after"));
      schemas.put(text, known);
    }
    last = known;
    return known;
  }

  /**
   * Where the payload starts when {@code value} is exactly {@code {"schema":{...},"payload":...}}
   * as the JSON converter writes it (no whitespace), else -1 and the whole value is parsed.
   */
  static int schemaEnd(String value) {
    if (!value.startsWith(SCHEMA_PREFIX)
        || value.length() <= SCHEMA_PREFIX.length()
        || value.charAt(SCHEMA_PREFIX.length()) != '{') {
      return -1;
    }
    int depth = 0;
    boolean inString = false;
    for (int i = SCHEMA_PREFIX.length(); i < value.length(); i++) {
      char c = value.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          int end = i + 1;
          return value.startsWith(PAYLOAD_FIELD, end) && value.endsWith("}")
              ? end + PAYLOAD_FIELD.length()
              : -1;
        }
      }
    }
    return -1;
  }

  private LinkedHashMap<String, Object> key(String key, String table, Map<String, Object> row) {
    if (key == null) {
      throw new BadRecordException(
          "change event for "
              + table
              + " has no primary key (null record key): give the table a primary key or set"
              + " message.key.columns in the connector");
    }
    int payloadStart = schemaEnd(key);
    JsonNode node =
        payloadStart > 0
            ? read(key.substring(payloadStart, key.lastIndexOf('}')), "key")
            : read(key, "key");
    if (node.has("schema") && node.has("payload")) {
      node = node.get("payload");
    }
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw new BadRecordException("change event for " + table + " has an empty primary key");
    }
    LinkedHashMap<String, Object> values = new LinkedHashMap<>();
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String column = names.next();
      if (!row.containsKey(column) || row.get(column) == null) {
        throw new BadRecordException(
            "change event for " + table + " lacks a value for primary-key column " + column);
      }
      values.put(column, row.get(column));
    }
    return values;
  }

  private static LinkedHashMap<String, Object> oldKey(String header, String table) {
    LinkedHashMap<String, Object> values = new LinkedHashMap<>();
    String text = header.strip();
    JsonNode node = read(text, "header " + OLD_KEY_HEADER);
    if (node.has("schema") && node.has("payload")) {
      node = node.get("payload");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      values.put(field.getKey(), plain(field.getValue()));
    }
    if (values.isEmpty()) {
      throw new BadRecordException("header " + OLD_KEY_HEADER + " of " + table + " is empty");
    }
    return values;
  }

  private static Map<String, JsonNode> fieldSchemas(JsonNode envelopeSchema, String side) {
    Map<String, JsonNode> fields = new HashMap<>();
    for (JsonNode part : envelopeSchema.path("fields")) {
      if (side.equals(part.path("field").asText())) {
        for (JsonNode field : part.path("fields")) {
          fields.put(field.path("field").asText(), field);
        }
      }
    }
    return fields;
  }

  private static ColumnType typeOf(JsonNode schema, String table, String column) {
    String type = schema.path("type").asText();
    String name = schema.path("name").asText("");
    switch (name) {
      case "io.debezium.time.Date", "org.apache.kafka.connect.data.Date" -> {
        return ColumnType.DATE;
      }
      case "io.debezium.time.Timestamp",
          "io.debezium.time.MicroTimestamp",
          "io.debezium.time.NanoTimestamp",
          "org.apache.kafka.connect.data.Timestamp" -> {
        return ColumnType.TIMESTAMP;
      }
      case "io.debezium.time.ZonedTimestamp" -> {
        return ColumnType.TIMESTAMPTZ;
      }
      case "org.apache.kafka.connect.data.Decimal" -> {
        return ColumnType.decimal(
            Integer.parseInt(schema.path("parameters").path("scale").asText("0")));
      }
      case "io.debezium.data.VariableScaleDecimal" -> {
        return ColumnType.VARCHAR;
      }
      default -> {}
    }
    return switch (type) {
      case "int8", "int16", "int32", "int64" -> ColumnType.BIGINT;
      case "float32", "float64", "double", "float" -> ColumnType.DOUBLE;
      case "boolean" -> ColumnType.BOOLEAN;
      case "string", "bytes" -> ColumnType.VARCHAR;
      default ->
          throw new BadRecordException(
              "column "
                  + table
                  + "."
                  + column
                  + " has type "
                  + type
                  + (name.isEmpty() ? "" : " (" + name + ")")
                  + " which the warehouse cannot hold; exclude the column in the connector or"
                  + " convert it in the source");
    };
  }

  private static ColumnType infer(JsonNode value) {
    if (value.isBoolean()) {
      return ColumnType.BOOLEAN;
    }
    if (value.isIntegralNumber()) {
      return value.canConvertToLong() ? ColumnType.BIGINT : ColumnType.decimal(0);
    }
    if (value.isNumber()) {
      return ColumnType.DOUBLE;
    }
    return ColumnType.VARCHAR;
  }

  private static Object valueOf(JsonNode value, JsonNode schema, String table, String column) {
    if (value == null || value.isNull()) {
      return null;
    }
    String name = schema == null ? "" : schema.path("name").asText("");
    try {
      return switch (name) {
        case "io.debezium.time.Date", "org.apache.kafka.connect.data.Date" ->
            LocalDate.ofEpochDay(value.asLong());
        case "io.debezium.time.Timestamp", "org.apache.kafka.connect.data.Timestamp" ->
            LocalDateTime.ofEpochSecond(0, 0, ZoneOffset.UTC)
                .plusNanos(Math.multiplyExact(value.asLong(), 1_000_000L));
        case "io.debezium.time.MicroTimestamp" ->
            LocalDateTime.ofEpochSecond(
                Math.floorDiv(value.asLong(), 1_000_000L),
                (int) Math.floorMod(value.asLong(), 1_000_000L) * 1000,
                ZoneOffset.UTC);
        case "io.debezium.time.NanoTimestamp" ->
            LocalDateTime.ofEpochSecond(
                Math.floorDiv(value.asLong(), 1_000_000_000L),
                (int) Math.floorMod(value.asLong(), 1_000_000_000L),
                ZoneOffset.UTC);
        case "io.debezium.time.ZonedTimestamp" -> value.asText();
        case "org.apache.kafka.connect.data.Decimal" ->
            value.isNumber()
                ? value.decimalValue()
                : new BigDecimal(
                    new BigInteger(Base64.getDecoder().decode(value.asText())),
                    Integer.parseInt(schema.path("parameters").path("scale").asText("0")));
        case "io.debezium.data.VariableScaleDecimal" ->
            new BigDecimal(
                    new BigInteger(Base64.getDecoder().decode(value.path("value").asText())),
                    value.path("scale").asInt())
                .toPlainString();
        default -> plain(value);
      };
    } catch (RuntimeException e) {
      throw new BadRecordException(
          "column " + table + "." + column + " has a value that does not match its type " + name,
          e);
    }
  }

  private static Object plain(JsonNode value) {
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isIntegralNumber()) {
      return value.canConvertToLong() ? (Object) value.longValue() : value.decimalValue();
    }
    if (value.isNumber()) {
      return value.doubleValue();
    }
    if (value.isTextual()) {
      return value.asText();
    }
    return value.toString();
  }

  private static JsonNode read(String text, String what) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadRecordException("record " + what + " is not JSON: " + e.getOriginalMessage());
    }
  }
}
