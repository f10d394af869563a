package io.insighthub.workers.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.workers.warehouse.ColumnType;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The parser's shortcut past the JSON converter's schema, and its fallback to a full parse. */
class DebeziumParserTest {
  private static final String SCHEMA =
      "{\"type\":\"struct\",\"name\":\"a \\\"quoted}\\\" {name\",\"fields\":[{\"field\":\"after\","
          + "\"fields\":[{\"field\":\"id\",\"type\":\"int64\"},{\"field\":\"due\",\"type\":\"int32\","
          + "\"name\":\"io.debezium.time.Date\"}]}]}";
  private static final String PAYLOAD =
      "{\"op\":\"c\",\"source\":{\"schema\":\"public\",\"table\":\"t\",\"lsn\":7},"
          + "\"after\":{\"id\":1,\"due\":19000}}";

  @Test
  void payloadStartIsFoundPastBracesAndQuotesInsideSchemaStrings() {
    String value = "{\"schema\":" + SCHEMA + ",\"payload\":" + PAYLOAD + "}";
    int start = DebeziumParser.schemaEnd(value);
    assertThat(value.substring(start)).isEqualTo(PAYLOAD + "}");
    assertThat(DebeziumParser.schemaEnd("{\"payload\":" + PAYLOAD + "}")).isEqualTo(-1);
    assertThat(DebeziumParser.schemaEnd("{\"schema\":null,\"payload\":null}")).isEqualTo(-1);
    assertThat(DebeziumParser.schemaEnd("{\"schema\": " + SCHEMA + ", \"payload\": {}}"))
        .isEqualTo(-1);
  }

  @Test
  void schemaTypesApplyWhetherTheShortcutOrTheFullParseIsTaken() {
    DebeziumParser parser = new DebeziumParser();
    for (String value :
        new String[] {
          "{\"schema\":" + SCHEMA + ",\"payload\":" + PAYLOAD + "}",
          "{\"schema\": " + SCHEMA + ", \"payload\": " + PAYLOAD + "}"
        }) {
      for (int i = 0; i < 2; i++) {
        ChangeEvent event = parser.parse("{\"id\":1}", value, 3).orElseThrow();
        assertThat(event.types()).containsEntry("due", ColumnType.DATE);
        assertThat(event.row()).containsEntry("due", LocalDate.ofEpochDay(19000));
        assertThat(event.position().lsn()).isEqualTo(7);
      }
    }
  }
}
