package io.insighthub.workers.cdc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.insighthub.workers.warehouse.ColumnType;
import io.insighthub.workers.warehouse.Position;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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

  /**
   * Parsers borrow their buffers from one shared pool rather than Jackson's default per-thread one,
   * whose ThreadLocal lookup showed in cdc-load's profile (two parsers per record).
   */
  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build());

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

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
    Envelope envelope;
    int payloadStart = payloadStart(value);
    if (payloadStart > 0) {
      // The JSON converter's {"schema":{...},"payload":{...}}: the schema repeats the same ~1 KB
      // in every record of a table, so it is parsed once per distinct text and only the payload
      // is streamed here (parsing the schema was half of cdc-load's time, see BENCHMARKS.md).
      Schema schema = schema(value, payloadStart);
      envelope = envelope(value.substring(payloadStart, value.lastIndexOf('}')), schema);
    } else {
      envelope = envelope(value, Schema.NONE);
      if (envelope != null && envelope.wrapped()) {
        // {"schema": ..., "payload": ...} in another spelling (whitespace, field order): the tree.
        JsonNode root = read(value, "value");
        JsonNode payload = root.get("payload");
        Schema schema =
            root.get("schema") == null || !root.get("schema").isObject()
                ? Schema.NONE
                : new Schema(
                    "",
                    fieldSchemas(root.get("schema"), "before"),
                    fieldSchemas(root.get("schema"), "after"));
        envelope = payload == null ? null : envelope(payload.toString(), schema);
      }
    }
    if (envelope == null) {
      return Optional.empty();
    }
    String op = envelope.op();
    if (!op.equals("r") && !op.equals("c") && !op.equals("u") && !op.equals("d")) {
      throw new BadRecordException(
          "not a Debezium change event: op is '" + op + "' (expected r, c, u or d)");
    }
    if (envelope.sourceSchema() == null || envelope.sourceTable() == null) {
      throw new BadRecordException("change event without source.schema and source.table");
    }
    String table = envelope.sourceSchema() + "." + envelope.sourceTable();
    boolean delete = op.equals("d");
    Image image = delete ? envelope.before() : envelope.after();
    if (image == null) {
      throw new BadRecordException(
          "change event for " + table + " has no " + (delete ? "before" : "after") + " row");
    }
    Map<String, Field> rowSchema = delete ? envelope.schema().before() : envelope.schema().after();
    int width = image.names().size();
    LinkedHashMap<String, Object> row = LinkedHashMap.newLinkedHashMap(width);
    Map<String, ColumnType> types = HashMap.newHashMap(width);
    Set<String> unchanged = Set.of();
    for (int i = 0; i < width; i++) {
      String column = image.names().get(i);
      JsonNode fieldValue = image.values().get(i);
      boolean placeholder = fieldValue.isTextual() && fieldValue.asText().equals(UNAVAILABLE);
      if (placeholder) {
        if (unchanged.isEmpty()) {
          unchanged = new HashSet<>();
        }
        unchanged.add(column);
      }
      Field field = rowSchema.get(column);
      types.put(column, field != null ? field.type(table, column) : infer(fieldValue));
      row.put(column, placeholder ? null : valueOf(fieldValue, field, table, column));
    }
    LinkedHashMap<String, Object> keyValues = key(key, table, row);
    return Optional.of(
        new ChangeEvent(
            table,
            op,
            keyValues,
            row,
            types,
            unchanged,
            new Position(envelope.lsn(), envelope.txOrder(), kafkaOffset),
            envelope.sourceTime() == null ? null : Instant.ofEpochMilli(envelope.sourceTime()),
            oldKey == null ? null : oldKey(oldKey, table)));
  }

  /** One row image in field order: the column names and their JSON values. */
  private record Image(List<String> names, List<JsonNode> values) {}

  /**
   * The parts of a change event's payload cdc-load reads; {@code wrapped} when the text turned out
   * to be a {@code {"schema":...,"payload":...}} wrapper rather than the payload itself.
   */
  private record Envelope(
      Schema schema,
      String op,
      Image before,
      Image after,
      String sourceSchema,
      String sourceTable,
      long lsn,
      Long sourceTime,
      long txOrder,
      boolean wrapped) {}

  /**
   * Streams the payload (no tree): the row images, op, the source's schema, table, LSN and commit
   * time, and the transaction order; everything else (the rest of {@code source}, {@code ts_ms},
   * ...) is skipped. Null for a null payload.
   */
  private static Envelope envelope(String text, Schema schema) {
    try (JsonParser parser = JSON.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null || first == JsonToken.VALUE_NULL) {
        return null;
      }
      if (first != JsonToken.START_OBJECT) {
        throw new BadRecordException("record value is not a JSON object");
      }
      String op = "";
      Image before = null;
      Image after = null;
      String sourceSchema = null;
      String sourceTable = null;
      long lsn = 0;
      Long sourceTime = null;
      long txOrder = 0;
      boolean sawSchema = false;
      boolean sawPayload = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        switch (name) {
          case "before" -> before = image(parser, token);
          case "after" -> after = image(parser, token);
          case "op" -> op = token.isScalarValue() ? parser.getValueAsString("") : skip(parser, "");
          case "source" -> {
            if (token != JsonToken.START_OBJECT) {
              parser.skipChildren();
              continue;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              String field = parser.currentName();
              JsonToken fieldToken = parser.nextToken();
              switch (field) {
                case "schema" -> sourceSchema = text(parser, fieldToken);
                case "table" -> sourceTable = text(parser, fieldToken);
                case "lsn" -> lsn = number(parser, fieldToken);
                case "ts_ms" ->
                    sourceTime =
                        fieldToken == JsonToken.VALUE_NULL ? null : number(parser, fieldToken);
                default -> parser.skipChildren();
              }
            }
          }
          case "transaction" -> {
            if (token != JsonToken.START_OBJECT) {
              parser.skipChildren();
              continue;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              String field = parser.currentName();
              JsonToken fieldToken = parser.nextToken();
              if (field.equals("total_order")) {
                txOrder = number(parser, fieldToken);
              } else {
                parser.skipChildren();
              }
            }
          }
          case "schema" -> {
            sawSchema = true;
            parser.skipChildren();
          }
          case "payload" -> {
            sawPayload = true;
            parser.skipChildren();
          }
          default -> parser.skipChildren();
        }
      }
      return new Envelope(
          schema,
          op,
          before,
          after,
          sourceSchema,
          sourceTable,
          lsn,
          sourceTime,
          txOrder,
          sawSchema && sawPayload);
    } catch (IOException e) {
      throw new BadRecordException("record value is not JSON: " + message(e));
    }
  }

  /** A row image's fields; null when the image is null or not an object. */
  private static Image image(JsonParser parser, JsonToken token) throws IOException {
    if (token != JsonToken.START_OBJECT) {
      parser.skipChildren();
      return null;
    }
    List<String> names = new ArrayList<>(16);
    List<JsonNode> values = new ArrayList<>(16);
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      names.add(parser.currentName());
      values.add(node(parser, parser.nextToken()));
    }
    return new Image(names, values);
  }

  /** The JSON value at {@code token} as the tree parser would have read it. */
  private static JsonNode node(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> TextNode.valueOf(parser.getText());
      case VALUE_NUMBER_INT ->
          switch (parser.getNumberType()) {
            case INT -> IntNode.valueOf(parser.getIntValue());
            case LONG -> LongNode.valueOf(parser.getLongValue());
            default -> NODES.numberNode(parser.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(parser.getDoubleValue());
      case VALUE_TRUE -> BooleanNode.TRUE;
      case VALUE_FALSE -> BooleanNode.FALSE;
      case VALUE_NULL -> NullNode.getInstance();
      default -> parser.readValueAsTree();
    };
  }

  /** The text of a scalar (as {@code JsonNode.asText} gives it); null for null or a structure. */
  private static String text(JsonParser parser, JsonToken token) throws IOException {
    if (token == JsonToken.VALUE_NULL) {
      return null;
    }
    return token.isScalarValue() ? parser.getValueAsString() : skip(parser, null);
  }

  /** A number, or a numeric text, as a long; 0 otherwise (as {@code JsonNode.asLong(0)}). */
  private static long number(JsonParser parser, JsonToken token) throws IOException {
    if (!token.isScalarValue()) {
      parser.skipChildren();
      return 0;
    }
    return parser.getValueAsLong(0);
  }

  private static <T> T skip(JsonParser parser, T result) throws IOException {
    parser.skipChildren();
    return result;
  }

  private static String message(IOException e) {
    return e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
  }

  private static final String SCHEMA_PREFIX = "{\"schema\":";
  private static final String PAYLOAD_FIELD = ",\"payload\":";

  /** The field schemas of both row images of one envelope schema. */
  private record Schema(String text, Map<String, Field> before, Map<String, Field> after) {
    /** No schema in the record: types follow the JSON values. */
    static final Schema NONE = new Schema("", Map.of(), Map.of());
  }

  /**
   * One column's schema, with its logical type name and, once a record used it, its column type
   * (computed once per schema instead of once per value).
   */
  private static final class Field {
    final JsonNode schema;
    final String name;
    private ColumnType type;

    Field(JsonNode schema) {
      this.schema = schema;
      this.name = schema.path("name").asText("");
    }

    ColumnType type(String table, String column) {
      ColumnType known = type;
      if (known == null) {
        known = typeOf(schema, table, column);
        type = known;
      }
      return known;
    }
  }

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
    List<String> names = cachedKeyNames(key);
    if (names.isEmpty()) {
      throw new BadRecordException("change event for " + table + " has an empty primary key");
    }
    LinkedHashMap<String, Object> values = LinkedHashMap.newLinkedHashMap(names.size());
    for (String column : names) {
      Object value = row.get(column);
      if (value == null) {
        throw new BadRecordException(
            "change event for " + table + " lacks a value for primary-key column " + column);
      }
      values.put(column, value);
    }
    return values;
  }

  /** The key schema text of the previous key and its column names. */
  private record KeySchema(String text, List<String> names) {}

  private volatile KeySchema lastKey;

  /**
   * {@link #keyNames}, without parsing when the key has the previous key's schema text: the JSON
   * converter writes a struct's fields in its schema's order, all of them, so the same key schema
   * means the same key columns.
   */
  private List<String> cachedKeyNames(String key) {
    KeySchema previous = lastKey;
    if (previous != null
        && key.startsWith(SCHEMA_PREFIX)
        && key.startsWith(previous.text(), SCHEMA_PREFIX.length())
        && key.startsWith(PAYLOAD_FIELD, SCHEMA_PREFIX.length() + previous.text().length())) {
      return previous.names();
    }
    List<String> names = keyNames(key);
    int payloadStart = schemaEnd(key);
    if (payloadStart > 0 && !names.isEmpty()) {
      lastKey =
          new KeySchema(
              key.substring(SCHEMA_PREFIX.length(), payloadStart - PAYLOAD_FIELD.length()),
              List.copyOf(names));
    }
    return names;
  }

  /**
   * The column names of a record key, {@code {"id":1}} or {@code {"schema":{...},"payload":{"id":
   * 1}}}, streamed: only the names are needed, the values come from the row. Empty when the key (or
   * its payload) is not an object or has no fields.
   */
  private static List<String> keyNames(String key) {
    try (JsonParser parser = JSON.createParser(key)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return List.of();
      }
      List<String> names = new ArrayList<>(2);
      List<String> payload = null;
      boolean sawSchema = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        names.add(name);
        if (name.equals("schema")) {
          sawSchema = true;
        }
        if (name.equals("payload")) {
          payload = new ArrayList<>(2);
          if (token == JsonToken.START_OBJECT) {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              payload.add(parser.currentName());
              parser.nextToken();
              parser.skipChildren();
            }
          } else {
            parser.skipChildren();
          }
        } else {
          parser.skipChildren();
        }
      }
      return sawSchema && payload != null ? payload : names;
    } catch (IOException e) {
      throw new BadRecordException("record key is not JSON: " + message(e));
    }
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

  private static Map<String, Field> fieldSchemas(JsonNode envelopeSchema, String side) {
    Map<String, Field> fields = new HashMap<>();
    for (JsonNode part : envelopeSchema.path("fields")) {
      if (side.equals(part.path("field").asText())) {
        for (JsonNode field : part.path("fields")) {
          fields.put(field.path("field").asText(), new Field(field));
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

  private static Object valueOf(JsonNode value, Field field, String table, String column) {
    if (value == null || value.isNull()) {
      return null;
    }
    String name = field == null ? "" : field.name;
    JsonNode schema = field == null ? null : field.schema;
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
