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

  @Test
  void keyColumnsFollowEachKeysSchemaWhenTablesAlternate() {
    DebeziumParser parser = new DebeziumParser();
    String idKey =
        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"id\",\"type\":\"int64\"}]},"
            + "\"payload\":{\"id\":%d}}";
    String pairKey =
        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"tenant\",\"type\":"
            + "\"string\"},{\"field\":\"code\",\"type\":\"string\"}]},\"payload\":{\"tenant\":"
            + "\"t%d\",\"code\":\"c\"}}";
    String a =
        "{\"op\":\"u\",\"source\":{\"schema\":\"public\",\"table\":\"a\",\"lsn\":%d},"
            + "\"after\":{\"id\":%d,\"name\":\"x\"}}";
    String b =
        "{\"op\":\"u\",\"source\":{\"schema\":\"public\",\"table\":\"b\",\"lsn\":%d},"
            + "\"after\":{\"code\":\"c\",\"tenant\":\"t%d\",\"n\":1}}";
    for (int i = 1; i <= 3; i++) {
      ChangeEvent first = parser.parse(idKey.formatted(i), a.formatted(10 + i, i), i).orElseThrow();
      assertThat(first.key())
          .containsExactly(org.assertj.core.api.Assertions.entry("id", (long) i));
      ChangeEvent second =
          parser.parse(pairKey.formatted(i), b.formatted(20 + i, i), i).orElseThrow();
      assertThat(second.key())
          .containsExactly(
              org.assertj.core.api.Assertions.entry("tenant", "t" + i),
              org.assertj.core.api.Assertions.entry("code", "c"));
    }
  }

  @Test
  void valuesWithoutSchemaDecodeAsTheirJsonTypesAndStructuresAsText() {
    DebeziumParser parser = new DebeziumParser();
    ChangeEvent event =
        parser
            .parse(
                "{\"id\":1}",
                "{\"before\":null,\"after\":{\"id\":1,\"big\":123456789012345678901234,"
                    + "\"ratio\":0.5,\"flag\":true,\"tags\":[\"a\",\"b\"],\"none\":null},"
                    + "\"source\":{\"schema\":\"public\",\"table\":\"t\",\"lsn\":\"42\","
                    + "\"ts_ms\":1700000000000,\"extra\":{\"x\":[1,2]}},\"op\":\"c\","
                    + "\"transaction\":{\"id\":\"7\",\"total_order\":3}}",
                9)
            .orElseThrow();
    assertThat(event.row())
        .containsEntry("id", 1L)
        .containsEntry("big", new java.math.BigDecimal("123456789012345678901234"))
        .containsEntry("ratio", 0.5)
        .containsEntry("flag", true)
        .containsEntry("tags", "[\"a\",\"b\"]")
        .containsEntry("none", null);
    assertThat(event.types())
        .containsEntry("big", ColumnType.decimal(0))
        .containsEntry("flag", ColumnType.BOOLEAN);
    assertThat(event.position()).isEqualTo(new io.insighthub.workers.warehouse.Position(42, 3, 9));
    assertThat(event.sourceTime()).isEqualTo(java.time.Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(parser.parse("{\"id\":1}", "null", 1)).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> parser.parse("{\"id\":1}", "{\"op\":\"c\",\"after\":{\"id\":1", 1))
        .isInstanceOf(BadRecordException.class)
        .hasMessageContaining("not JSON");
  }
}
