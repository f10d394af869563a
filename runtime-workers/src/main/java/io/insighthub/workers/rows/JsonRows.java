package io.insighthub.workers.rows;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How a row is read as JSON and named in a reason: the parser's limits, the key of a minimized row,
 * and field names fit for a header or a log line. The stages that check rows share them, so a row
 * is parsed and keyed the same way wherever it comes from.
 */
public final class JsonRows {
  /** Deeper JSON is rejected as malformed instead of risking the parser's stack. */
  public static final int MAX_NESTING_DEPTH = 64;

  private static final int MAX_PRINTABLE_CHARS = 200;

  private JsonRows() {}

  /**
   * The parser for rows: bounded nesting, duplicate keys rejected, supplementary chars as UTF-8.
   */
  public static ObjectMapper mapper() {
    ObjectMapper mapper = new ObjectMapper();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    // Emoji and other supplementary characters stay UTF-8, not escaped surrogate pairs.
    mapper.getFactory().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8.mappedFeature());
    return mapper;
  }

  /**
   * The key of a row: the key fields' values after minimization (so no raw PII reaches it), one
   * value as it is, several joined by {@code |}; null without key fields.
   */
  public static byte[] key(ObjectNode row, List<String[]> keyPaths) {
    if (keyPaths.isEmpty()) {
      return null;
    }
    if (keyPaths.size() == 1) {
      JsonNode value = RowSchema.resolve(row, keyPaths.get(0));
      return value == null || value.isNull() ? null : bytes(value.asText());
    }
    StringBuilder key = new StringBuilder();
    for (String[] path : keyPaths) {
      JsonNode value = RowSchema.resolve(row, path);
      key.append(key.isEmpty() ? "" : "|").append(value == null ? "" : value.asText());
    }
    return bytes(key.toString());
  }

  /** A field name fit for a header or a log line: bounded, without control characters. */
  public static String printable(String name) {
    String cut =
        name.length() > MAX_PRINTABLE_CHARS ? name.substring(0, MAX_PRINTABLE_CHARS) : name;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
