package io.insighthub.workers.cdc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Builds Debezium PostgreSQL change records as the JSON converter writes them, with or without the
 * schema, for one table; offsets count up per topic like a real partition.
 */
final class DebeziumEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String prefix;
  private final String table;
  private final boolean schemas;
  private final Map<String, String[]> columnSchemas = new LinkedHashMap<>();
  private final String keyColumn;
  private long offset;

  /** Columns as name → {connect type, logical name or null, scale or null}. */
  DebeziumEvents(String prefix, String table, boolean schemas, String keyColumn) {
    this.prefix = prefix;
    this.table = table;
    this.schemas = schemas;
    this.keyColumn = keyColumn;
  }

  DebeziumEvents column(String name, String type, String logical, String scale) {
    columnSchemas.put(name, new String[] {type, logical, scale});
    return this;
  }

  String topic() {
    return prefix + "." + table;
  }

  ConsumerRecord<String, String> read(long lsn, Map<String, Object> after) {
    return change("r", lsn, null, after);
  }

  ConsumerRecord<String, String> create(long lsn, Map<String, Object> after) {
    return change("c", lsn, null, after);
  }

  ConsumerRecord<String, String> update(long lsn, Map<String, Object> after) {
    return change("u", lsn, null, after);
  }

  ConsumerRecord<String, String> delete(long lsn, Map<String, Object> before) {
    return change("d", lsn, before, null);
  }

  ConsumerRecord<String, String> tombstone(Object key) {
    return new ConsumerRecord<>(topic(), 0, offset++, key(key), null);
  }

  /** A record with an explicit key text (null for a table without primary key). */
  ConsumerRecord<String, String> raw(String key, String value) {
    return new ConsumerRecord<>(topic(), 0, offset++, key, value);
  }

  ConsumerRecord<String, String> change(
      String op, long lsn, Map<String, Object> before, Map<String, Object> after) {
    Map<String, Object> row = after != null ? after : before;
    ObjectNode payload = JSON.createObjectNode();
    payload.set("before", before == null ? null : JSON.valueToTree(before));
    payload.set("after", after == null ? null : JSON.valueToTree(after));
    ObjectNode source = payload.putObject("source");
    String[] parts = table.split("\\.");
    source.put("connector", "postgresql");
    source.put("db", "billing");
    source.put("schema", parts[0]);
    source.put("table", parts[1]);
    source.put("lsn", lsn);
    source.put("ts_ms", 1_700_000_000_000L + lsn);
    source.put("snapshot", op.equals("r") ? "true" : "false");
    payload.put("op", op);
    payload.put("ts_ms", 1_700_000_000_000L + lsn);
    String value = schemas ? withSchema(payload).toString() : payload.toString();
    return new ConsumerRecord<>(topic(), 0, offset++, key(row.get(keyColumn)), value);
  }

  private String key(Object id) {
    ObjectNode key = JSON.createObjectNode();
    key.set(keyColumn, JSON.valueToTree(id));
    if (!schemas) {
      return key.toString();
    }
    ObjectNode wrapped = JSON.createObjectNode();
    ObjectNode schema = wrapped.putObject("schema");
    schema.put("type", "struct");
    schema.putArray("fields").add(field(keyColumn, columnSchemas.get(keyColumn)));
    wrapped.set("payload", key);
    return wrapped.toString();
  }

  private ObjectNode withSchema(ObjectNode payload) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode schema = root.putObject("schema");
    schema.put("type", "struct");
    schema.put("name", prefix + "." + table + ".Envelope");
    ArrayNode fields = schema.putArray("fields");
    for (String side : List.of("before", "after")) {
      ObjectNode struct = fields.addObject();
      struct.put("type", "struct");
      struct.put("optional", true);
      struct.put("field", side);
      ArrayNode columns = struct.putArray("fields");
      columnSchemas.forEach((name, spec) -> columns.add(field(name, spec)));
    }
    fields.addObject().put("type", "struct").put("field", "source");
    fields.addObject().put("type", "string").put("field", "op");
    fields.addObject().put("type", "int64").put("field", "ts_ms");
    root.set("payload", payload);
    return root;
  }

  private static ObjectNode field(String name, String[] spec) {
    ObjectNode field = JSON.createObjectNode();
    field.put("type", spec[0]);
    field.put("optional", true);
    field.put("field", name);
    if (spec[1] != null) {
      field.put("name", spec[1]);
    }
    if (spec[2] != null) {
      field.putObject("parameters").put("scale", spec[2]);
    }
    return field;
  }

  /** A row map in column order. */
  static Map<String, Object> row(Object... namesAndValues) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      row.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return row;
  }

  static List<ConsumerRecord<String, String>> list(List<ConsumerRecord<String, String>> records) {
    return new ArrayList<>(records);
  }
}
