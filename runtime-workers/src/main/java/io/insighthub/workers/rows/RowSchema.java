package io.insighthub.workers.rows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.crds.v1alpha1.EventsSource;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks one parsed row (an event, a line of a file) against the declared schema: required fields,
 * types, string lengths, timestamps, the event id and time when the source has them, and which
 * fields the schema does not declare (drift). Every stage that accepts rows checks them here, so a
 * row gets the same verdict and {@link Reason} wherever it enters.
 */
public final class RowSchema {
  /** Most undeclared fields listed per row; more are drift all the same. */
  public static final int MAX_DRIFT_FIELDS = 20;

  /** {@link Accepted#eventTimeMillis()} of a row from a source without an event-time field. */
  public static final long NO_TIME = Long.MIN_VALUE;

  /** Epoch millis of 9999-12-31T23:59:59.999Z, the largest time ISO-8601 years can spell. */
  private static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

  private final Map<String, EventField> declared = new LinkedHashMap<>();
  private final Map<String, String[]> paths = new LinkedHashMap<>();
  private final Set<String> parents = new TreeSet<>();
  private final Set<String> implicit = new TreeSet<>();
  private final String eventIdField;
  private final String eventTimeField;
  private final String[] eventIdPath;
  private final String[] eventTimePath;

  /** The schema of an event stream: its fields, event id and event time. */
  public RowSchema(EventsSource source) {
    this(source.fields, source.eventIdField, source.eventTimeField);
  }

  /**
   * A schema of {@code fields}; {@code eventIdField} and {@code eventTimeField} are required in
   * every row when given, and may be null for rows without them (the lines of a file).
   */
  public RowSchema(List<EventField> fields, String eventIdField, String eventTimeField) {
    for (EventField field : fields) {
      declared.put(field.name, field);
      paths.put(field.name, field.name.split("\\."));
      addParents(field.name);
    }
    this.eventIdField = eventIdField;
    this.eventTimeField = eventTimeField;
    // Split once: check runs for every record.
    this.eventIdPath = eventIdField == null ? null : eventIdField.split("\\.");
    this.eventTimePath = eventTimeField == null ? null : eventTimeField.split("\\.");
    // The id and time fields are part of the schema even when fields does not list them.
    for (String name : java.util.Arrays.asList(eventIdField, eventTimeField)) {
      if (name != null && !declared.containsKey(name)) {
        implicit.add(name);
        addParents(name);
      }
    }
  }

  private void addParents(String name) {
    int dot = name.indexOf('.');
    while (dot > 0) {
      parents.add(name.substring(0, dot));
      dot = name.indexOf('.', dot + 1);
    }
  }

  /** The verdict on one row. */
  public sealed interface Result {}

  /** The row breaks the schema; {@code field} names what, never its value. */
  public record Rejected(Reason reason, String field, String detail) implements Result {}

  /**
   * The row fits the declared fields; {@code undeclared} lists fields beyond them (at most {@link
   * #MAX_DRIFT_FIELDS}), empty when there is no drift. {@code eventId} is null and {@code
   * eventTimeMillis} {@link #NO_TIME} for a schema without them.
   */
  public record Accepted(String eventId, long eventTimeMillis, List<String> undeclared)
      implements Result {}

  public Result check(ObjectNode event) {
    for (Map.Entry<String, EventField> entry : declared.entrySet()) {
      EventField field = entry.getValue();
      JsonNode value = resolve(event, paths.get(entry.getKey()));
      boolean required = isRequired(field);
      if (value == null || value.isNull()) {
        if (required) {
          return new Rejected(Reason.MISSING_REQUIRED_FIELD, field.name, "is required");
        }
        continue;
      }
      Rejected wrong = checkValue(field, value);
      if (wrong != null) {
        return wrong;
      }
    }
    String eventId = null;
    long millis = NO_TIME;
    if (eventIdPath != null) {
      JsonNode id = resolve(event, eventIdPath);
      if (id == null || id.isNull()) {
        return new Rejected(Reason.MISSING_REQUIRED_FIELD, eventIdField, "event id is required");
      }
      if ((!id.isTextual() && !id.isIntegralNumber()) || id.asText().isEmpty()) {
        return new Rejected(Reason.WRONG_TYPE, eventIdField, "event id must be a non-empty string");
      }
      eventId = id.asText();
    }
    if (eventTimePath != null) {
      JsonNode time = resolve(event, eventTimePath);
      if (time == null || time.isNull()) {
        return new Rejected(
            Reason.MISSING_REQUIRED_FIELD, eventTimeField, "event time is required");
      }
      millis = epochMillis(time);
      if (millis == Long.MIN_VALUE) {
        return new Rejected(Reason.INVALID_TIMESTAMP, eventTimeField, timestampHint());
      }
    }
    List<String> undeclared = new ArrayList<>(0);
    Rejected shape = collectUndeclared(event, "", undeclared);
    if (shape != null) {
      return shape;
    }
    return new Accepted(eventId, millis, undeclared);
  }

  private Rejected checkValue(EventField field, JsonNode value) {
    boolean ok =
        switch (field.type) {
          case STRING -> value.isTextual();
          case INTEGER -> value.isIntegralNumber() && value.canConvertToLong();
          case NUMBER -> value.isNumber();
          case BOOLEAN -> value.isBoolean();
          case OBJECT -> value.isObject();
          case ARRAY -> value.isArray();
          case TIMESTAMP -> value.isTextual() || value.isIntegralNumber();
        };
    if (!ok) {
      return new Rejected(
          Reason.WRONG_TYPE,
          field.name,
          "expected " + field.type.name().toLowerCase() + ", got " + typeName(value));
    }
    if (field.type == EventField.Type.TIMESTAMP && epochMillis(value) == Long.MIN_VALUE) {
      return new Rejected(Reason.INVALID_TIMESTAMP, field.name, timestampHint());
    }
    if (field.maxLength != null && value.isTextual()) {
      String text = value.textValue();
      if (text.length() > field.maxLength
          && text.codePointCount(0, text.length()) > field.maxLength) {
        return new Rejected(
            Reason.FIELD_TOO_LONG, field.name, "longer than maxLength " + field.maxLength);
      }
    }
    return null;
  }

  /** Walks the event and lists fields outside the schema; a declared parent must be an object. */
  private Rejected collectUndeclared(JsonNode node, String prefix, List<String> undeclared) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> child = fields.next();
      String path = prefix.isEmpty() ? child.getKey() : prefix + "." + child.getKey();
      if (declared.containsKey(path) || implicit.contains(path)) {
        continue;
      }
      if (parents.contains(path)) {
        if (child.getValue().isNull()) {
          continue;
        }
        if (!child.getValue().isObject()) {
          return new Rejected(
              Reason.WRONG_TYPE,
              path,
              "expected object (it holds declared fields), got " + typeName(child.getValue()));
        }
        Rejected nested = collectUndeclared(child.getValue(), path, undeclared);
        if (nested != null) {
          return nested;
        }
      } else if (undeclared.size() < MAX_DRIFT_FIELDS) {
        undeclared.add(path);
      }
    }
    return null;
  }

  /** Epoch millis of an ISO-8601 string or an integral number, or Long.MIN_VALUE if neither. */
  public static long epochMillis(JsonNode value) {
    if (value.isIntegralNumber()) {
      if (!value.canConvertToLong()) {
        return Long.MIN_VALUE;
      }
      return epochMillis(value.longValue());
    }
    if (value.isTextual()) {
      return epochMillis(value.textValue());
    }
    return Long.MIN_VALUE;
  }

  /** {@code millis} if it is a time ISO-8601 can spell, else Long.MIN_VALUE. */
  public static long epochMillis(long millis) {
    return millis >= 0 && millis <= MAX_EPOCH_MILLIS ? millis : Long.MIN_VALUE;
  }

  /** Epoch millis of an ISO-8601 time with offset, or Long.MIN_VALUE. */
  public static long epochMillis(String text) {
    // Cheap shape check before the parser: yyyy-mm-ddT...
    if (text.length() < 20 || text.length() > 40 || text.charAt(4) != '-') {
      return Long.MIN_VALUE;
    }
    long utc = plainUtcMillis(text);
    if (utc != NOT_PLAIN) {
      return utc;
    }
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeException | ArithmeticException e) {
      return Long.MIN_VALUE;
    }
  }

  /** Not a time plainUtcMillis reads (none is: it reads years up to 9999). */
  private static final long NOT_PLAIN = Long.MAX_VALUE;

  /**
   * Instant.parse's millis for the common form {@code yyyy-MM-ddTHH:mm:ss[.s{1,9}]Z}, read without
   * the parser (which allocates more than a kilobyte per call); NOT_PLAIN for anything else
   * (offsets, lower case, a leap second, 24:00, a day the month does not have, any other shape),
   * which Instant.parse then decides.
   */
  static long plainUtcMillis(String text) {
    int n = text.length();
    if (n < 20
        || text.charAt(n - 1) != 'Z'
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':') {
      return NOT_PLAIN;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if (year < 0
        || month < 0
        || day < 0
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return NOT_PLAIN;
    }
    long nanos = 0;
    if (n > 20) {
      int fractionDigits = n - 21; // between the '.' at 19 and the 'Z'
      int fraction = fractionDigits > 9 ? -1 : digits(text, 20, fractionDigits);
      if (text.charAt(19) != '.' || fractionDigits < 1 || fraction < 0) {
        return NOT_PLAIN;
      }
      nanos = fraction;
      for (int i = fractionDigits; i < 9; i++) {
        nanos *= 10;
      }
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return NOT_PLAIN;
    }
    long seconds = epochDay * 86_400 + hour * 3_600 + minute * 60 + second;
    return seconds * 1_000 + nanos / 1_000_000;
  }

  /** The {@code count} decimal digits at {@code from} as a number, or -1 if one is not a digit. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  // For CompactEventReader, which applies these same rules to events it reads without a tree.

  Map<String, EventField> declared() {
    return declared;
  }

  String[] path(String declaredName) {
    return paths.get(declaredName);
  }

  boolean isRequired(EventField field) {
    return Boolean.TRUE.equals(field.required)
        || field.name.equals(eventIdField)
        || field.name.equals(eventTimeField);
  }

  boolean isDeclaredOrImplicit(String path) {
    return declared.containsKey(path) || implicit.contains(path);
  }

  boolean isParent(String path) {
    return parents.contains(path);
  }

  /**
   * True when every declared, id and time name is non-empty parts joined by single dots, so that
   * splitting it at the dots and joining the parts again gives it back (no "a.", ".a" or "a..b").
   */
  boolean namesSplitCleanly() {
    List<String> names = new ArrayList<>(declared.keySet());
    names.addAll(implicit);
    for (String name : names) {
      for (String part : name.split("\\.", -1)) {
        if (part.isEmpty()) {
          return false;
        }
      }
    }
    return true;
  }

  String[] eventIdPath() {
    return eventIdPath;
  }

  String[] eventTimePath() {
    return eventTimePath;
  }

  public static JsonNode resolve(JsonNode event, String[] path) {
    JsonNode node = event;
    for (String part : path) {
      if (node == null || !node.isObject()) {
        return null;
      }
      node = node.get(part);
    }
    return node;
  }

  private static String timestampHint() {
    return "expected an ISO-8601 time with offset (2026-11-27T01:00:00Z) or epoch milliseconds";
  }

  private static String typeName(JsonNode value) {
    return switch (value.getNodeType()) {
      case STRING -> "string";
      case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
      case BOOLEAN -> "boolean";
      case OBJECT -> "object";
      case ARRAY -> "array";
      case NULL -> "null";
      default -> value.getNodeType().name().toLowerCase();
    };
  }
}
