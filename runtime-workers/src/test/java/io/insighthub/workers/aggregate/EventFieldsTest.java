package io.insighthub.workers.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.insighthub.workers.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming field reader gives what the tree gives with {@code asText()}. */
class EventFieldsTest {
  private static final List<String> PATHS =
      List.of("account_id", "user_id", "ctx.device.id", "event_type", "platform", "ctx.n");

  @Test
  void readsWhatTheTreeReads() throws IOException {
    List<String> events =
        List.of(
            "{\"account_id\":\"a1\",\"user_id\":\"ü👋\",\"event_type\":\"page_view\"}",
            "{\"account_id\":42,\"user_id\":12345678901234,\"platform\":true,\"event_type\":1.50}",
            "{\"account_id\":null,\"user_id\":{\"x\":1},\"platform\":[\"web\"],\"event_type\":false}",
            "{\"pad\":{\"a\":[1,{\"account_id\":\"no\"}]},\"ctx\":{\"device\":{\"id\":\"d\\\"1\"},"
                + "\"n\":-3e2},\"account_id\":\"a\\u00e9\"}",
            "{\"ctx\":\"scalar\",\"account_id\":\"a\",\"account_id\":\"last wins\"}",
            "{\"ctx\":{\"device\":{\"id\":\"first\"}},\"ctx\":{\"n\":1}}",
            "{}");
    EventFields fields = new EventFields(ConfigLoader.JSON, PATHS);
    for (String event : events) {
      assertThat(fields.read(event.getBytes(StandardCharsets.UTF_8)))
          .as(event)
          .containsExactly(tree(event));
    }
  }

  @Test
  void notAnObjectOrNotJson() throws IOException {
    EventFields fields = new EventFields(ConfigLoader.JSON, PATHS);
    assertThat(fields.read("[1]".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(fields.read("\"a\"".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThatThrownBy(() -> fields.read("{\"account_id\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class);
  }

  private static String[] tree(String event) throws IOException {
    JsonNode root = ConfigLoader.JSON.readTree(event);
    String[] out = new String[PATHS.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode node = root;
      for (String part : PATHS.get(i).split("\\.")) {
        node = node == null ? null : node.get(part);
      }
      out[i] = node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }
    return out;
  }
}
