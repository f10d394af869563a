package io.insighthub.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.e2e.scenarios.SampleFiles.BatchSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files the local stack seeds for the batch samples: their names, columns and formats. */
class SampleFilesTest {
  private static final Path SAMPLES =
      Path.of(System.getProperty("insighthub.repoRoot", "../..")).resolve("samples");
  private static final List<String> BATCH =
      List.of("12-pipeline-salesforce-accounts.yaml", "13-pipeline-billing-files.yaml");
  private static final LocalDate DAY = LocalDate.parse("2026-12-07");

  @Test
  void theBucketsAndSourcesAreTheSamples() {
    assertThat(SampleFiles.buckets(SAMPLES, BATCH))
        .containsExactly("insighthub-billing-files", "insighthub-exports");
    assertThat(SampleFiles.batchSources(SAMPLES, BATCH))
        .extracting(s -> s.bucket() + "/" + s.key(DAY))
        .containsExactly(
            "insighthub-exports/salesforce/accounts/accounts_2026-12-07.csv",
            "insighthub-billing-files/settlements/settlement_2026-12-07.parquet");
  }

  @Test
  void theAccountExportHasTheSampleColumnsAndContactPii(@TempDir Path dir) throws Exception {
    BatchSource accounts = SampleFiles.batchSources(SAMPLES, BATCH).getFirst();
    Path file = dir.resolve("accounts.csv");
    Files.writeString(file, SampleFiles.csv(accounts, DAY));

    List<Map<String, String>> rows =
        query(
            "SELECT * FROM read_csv('"
                + file
                + "', header = true, all_varchar = true, quote = '\"') ORDER BY id");
    assertThat(rows).hasSize(40);
    assertThat(rows.getFirst().keySet())
        .containsExactlyElementsOf(accounts.fields().stream().map(f -> f.name()).toList());
    assertThat(rows)
        .allSatisfy(
            r -> {
              assertThat(r.get("id")).hasSize(18);
              assertThat(r.get("billing_contact_email"))
                  .matches("billing\\d+@account\\d+\\.example");
              assertThat(r.get("billing_contact_phone")).startsWith("+1-555-01");
            })
        .anySatisfy(r -> assertThat(r.get("name")).contains(", Inc."))
        .anySatisfy(r -> assertThat(r.get("name")).contains("\"Acme\""));
  }

  @Test
  void theSettlementFileIsParquetWithTheSampleColumns(@TempDir Path dir) throws Exception {
    BatchSource settlements = SampleFiles.batchSources(SAMPLES, BATCH).getLast();
    Path file = dir.resolve("settlement.parquet");
    SampleFiles.parquet(settlements, DAY, file);

    List<Map<String, String>> columns =
        query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '" + file + "')");
    assertThat(columns)
        .extracting(c -> c.get("column_name"))
        .containsExactlyElementsOf(settlements.fields().stream().map(f -> f.name()).toList());
    assertThat(columns)
        .filteredOn(c -> c.get("column_name").equals("amount_cents"))
        .singleElement()
        .satisfies(c -> assertThat(c.get("column_type")).isEqualTo("BIGINT"));
    List<Map<String, String>> totals =
        query(
            "SELECT count(*) AS n, count(DISTINCT transaction_id) AS ids,"
                + " bool_and(net_cents = amount_cents - fee_cents) AS net,"
                + " bool_and((type = 'refund') = (amount_cents < 0)) AS refunds"
                + " FROM '"
                + file
                + "'");
    assertThat(totals.getFirst()).containsEntry("n", "60").containsEntry("ids", "60");
    assertThat(totals.getFirst()).containsEntry("net", "true").containsEntry("refunds", "true");
  }

  private static List<Map<String, String>> query(String sql) throws Exception {
    List<Map<String, String>> rows = new ArrayList<>();
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        Map<String, String> row = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnName(i), rs.getString(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
