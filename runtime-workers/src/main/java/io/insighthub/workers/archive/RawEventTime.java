package io.insighthub.workers.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * The event time of a raw record's value, read the way validate reads it: the declared event-time
 * field (a dotted path) holding an ISO-8601 time with offset or epoch milliseconds. Anything else
 * (not JSON, no such field, another type) has no usable time.
 */
final class RawEventTime {
  /** No usable event time. */
  static final long NONE = Long.MIN_VALUE;

  /** 9999-12-31T23:59:59.999Z, the last instant ISO-8601's four-digit years spell. */
  private static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String[] path;

  RawEventTime(String field) {
    this.path = field.split("\\.");
  }

  long of(byte[] value) {
    if (value == null || value.length == 0 || value[0] != '{') {
      return NONE;
    }
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (IOException e) {
      return NONE;
    }
    for (String part : path) {
      node = node == null || !node.isObject() ? null : node.get(part);
    }
    if (node == null) {
      return NONE;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      long millis = node.longValue();
      return millis >= 0 && millis <= MAX_EPOCH_MILLIS ? millis : NONE;
    }
    if (node.isTextual() && node.textValue().length() >= 20 && node.textValue().length() <= 40) {
      try {
        return Instant.parse(node.textValue()).toEpochMilli();
      } catch (DateTimeException | ArithmeticException e) {
        return NONE;
      }
    }
    return NONE;
  }
}
