package io.insighthub.workers.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The generated SQL: quoted identifiers, the position guard, delete modes, TOAST parameters. */
class WarehouseSqlTest {
  private static final TableId T = new TableId("raw", "accounts");
  private static final List<Column> COLUMNS =
      List.of(new Column("id", ColumnType.BIGINT), new Column("notes", ColumnType.VARCHAR));

  @Test
  void identifiersAreUpperCasedQuotedAndEscaped() {
    assertThat(T.sql()).isEqualTo("\"RAW\".\"ACCOUNTS\"");
    assertThat(Identifiers.quote("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThatThrownBy(() -> Identifiers.normalize("bad\nname"))
        .hasMessageContaining("not a valid identifier");
  }

  @Test
  void cdcMergeUpdatesOnlyWhenTheIncomingPositionIsNewer() {
    String sql = WarehouseSql.cdcMerge(T, "\"STAGE_1\"", COLUMNS, List.of("ID"), true);
    assertThat(sql)
        .startsWith("MERGE INTO \"RAW\".\"ACCOUNTS\" t USING \"STAGE_1\" s ON t.\"ID\" = s.\"ID\"")
        .contains(
            "(s.\"_LSN\" > t.\"_LSN\" OR (s.\"_LSN\" = t.\"_LSN\" AND (s.\"_TX_ORDER\" >"
                + " t.\"_TX_ORDER\" OR (s.\"_TX_ORDER\" = t.\"_TX_ORDER\" AND s.\"_KAFKA_OFFSET\" >"
                + " t.\"_KAFKA_OFFSET\"))))")
        .contains("THEN UPDATE SET \"_DELETED\" = TRUE")
        .contains("\"NOTES\" = s.\"NOTES\"")
        .doesNotContain("?");
  }

  @Test
  void hardDeletesDeleteAndSoftDeletesRememberUnseenRows() {
    String hard = WarehouseSql.cdcMerge(T, "s1", COLUMNS, List.of("ID"), false);
    String soft = WarehouseSql.cdcMerge(T, "s1", COLUMNS, List.of("ID"), true);
    assertThat(hard).contains("THEN DELETE").doesNotContain("_DELETED\" = TRUE");
    assertThat(soft).doesNotContain("THEN DELETE").endsWith("CURRENT_TIMESTAMP)");
    assertThat(soft.split("WHEN NOT MATCHED", -1)).hasSize(3);
  }

  @Test
  void unchangedToastColumnsTakeTheStoredValueInTheStageThroughABoundParameter() {
    String sql = WarehouseSql.keepUnchanged(T, "s1", List.of("ID"), List.of("NOTES"));
    assertThat(sql)
        .startsWith("UPDATE s1 AS s SET")
        .contains(
            "\"NOTES\" = CASE WHEN POSITION(? IN s.\"_UNCHANGED\") > 0 THEN t.\"NOTES\" ELSE"
                + " s.\"NOTES\" END")
        .endsWith("WHERE t.\"ID\" = s.\"ID\" AND s.\"_UNCHANGED\" IS NOT NULL");
    assertThat(WarehouseSql.cdcMerge(T, "s1", COLUMNS, List.of("ID"), true))
        .doesNotContain("CASE")
        .contains("\"NOTES\" = s.\"NOTES\"");
  }
}
