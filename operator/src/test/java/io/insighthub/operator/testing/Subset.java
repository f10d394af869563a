package io.insighthub.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;

/**
 * Asserts that an object read back from the API server holds every field of the rendered one: the
 * server adds defaults and metadata, but must not have lost or changed anything we applied.
 */
public final class Subset {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Subset() {}

  public static void assertContains(Object actual, Object expected) {
    compare(JSON.valueToTree(actual), JSON.valueToTree(expected), "");
  }

  private static void compare(JsonNode actual, JsonNode expected, String path) {
    if (expected.isObject()) {
      assertThat(actual.isObject()).as("%s is an object", path).isTrue();
      for (Map.Entry<String, JsonNode> field : expected.properties()) {
        String child = path + "." + field.getKey();
        assertThat(actual.has(field.getKey())).as("%s present", child).isTrue();
        compare(actual.get(field.getKey()), field.getValue(), child);
      }
    } else if (expected.isArray()) {
      assertThat(actual.size()).as("%s size", path).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        compare(actual.get(i), expected.get(i), path + "[" + i + "]");
      }
    } else if (expected.isNumber()) {
      assertThat(actual.asLong()).as(path).isEqualTo(expected.asLong());
    } else {
      assertThat(actual.asText()).as(path).isEqualTo(expected.asText());
    }
  }
}
