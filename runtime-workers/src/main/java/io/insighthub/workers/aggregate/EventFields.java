package io.insighthub.workers.aggregate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a few fields (dotted paths into nested objects) of a JSON event in one streaming pass,
 * without building a tree: every other value is skipped. A field's text is what Jackson's tree
 * gives with {@code asText()} (the last one of a repeated name wins); null, an object, an array or
 * a missing field gives null.
 */
final class EventFields {
  private final ObjectMapper json;
  private final String[][] paths;

  EventFields(ObjectMapper json, List<String> paths) {
    this.json = json;
    this.paths = paths.stream().map(p -> p.split("\\.")).toArray(String[][]::new);
  }

  /** The fields' texts, in the order of the paths; null when the value is not a JSON object. */
  String[] read(byte[] value) throws IOException {
    String[] out = new String[paths.length];
    int[] all = new int[paths.length];
    Arrays.setAll(all, i -> i);
    try (JsonParser parser = json.createParser(value)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      readObject(parser, 0, all, out);
    }
    return out;
  }

  private void readObject(JsonParser parser, int depth, int[] candidates, String[] out)
      throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken token = parser.nextToken();
      int[] deeper = null;
      int deeperCount = 0;
      for (int i : candidates) {
        String[] path = paths[i];
        if (!path[depth].equals(name)) {
          continue;
        }
        // This occurrence decides (the last of a repeated name wins): reset, then read below.
        out[i] = null;
        if (path.length == depth + 1) {
          out[i] = token.isScalarValue() ? text(parser, token) : null;
        } else {
          if (deeper == null) {
            deeper = new int[candidates.length];
          }
          deeper[deeperCount++] = i;
        }
      }
      if (token == JsonToken.START_OBJECT && deeper != null) {
        readObject(parser, depth + 1, Arrays.copyOf(deeper, deeperCount), out);
      } else if (token.isStructStart()) {
        parser.skipChildren();
      }
    }
  }

  private static String text(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> parser.getNumberValue().toString();
      case VALUE_NUMBER_FLOAT -> String.valueOf(parser.getDoubleValue());
      case VALUE_TRUE -> "true";
      case VALUE_FALSE -> "false";
      default -> null;
    };
  }
}
