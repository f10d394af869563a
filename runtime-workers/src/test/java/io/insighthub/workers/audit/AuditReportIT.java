package io.insighthub.workers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.insighthub.crds.worker.PurgeReport;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.WorkerProcess;
import io.insighthub.workers.testing.ArchiveFixtures;
import io.insighthub.workers.testing.TestDirs;
import io.insighthub.workers.warehouse.DuckDbWarehouse;
import io.insighthub.workers.warehouse.WarehouseLifecycle;
import io.insighthub.workers.warehouse.WarehouseLifecycle.AuditRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code worker audit-report} as an auditor runs it, a process against a DuckDB warehouse holding
 * OPS.AUDIT rows of pii-purge runs, model runs in OPS.RUNS and rows in OPS.QUARANTINE: only the
 * period's rows of the Pipeline, the oldest raw PII per layer from the last run, counts per model
 * and reason, never a quarantined value; a readable table on standard output (no log lines in it)
 * and the same evidence as JSON.
 */
class AuditReportIT {
  private static final String PIPELINE = "audited";
  private static final String ID = ArchiveFixtures.NAMESPACE + "/" + PIPELINE;
  private static final Instant FROM = Instant.parse("2026-10-01T00:00:00Z");
  private static final Instant TO = Instant.parse("2026-11-01T00:00:00Z");
  private static final String QUARANTINED_PII = "quarantined-person@example.org";

  private Path dir;
  private Path config;

  @BeforeEach
  void seed() throws Exception {
    dir = TestDirs.fresh("audit-report");
    Path sink = Files.createDirectories(dir.resolve("sink"));
    Path file = dir.resolve("warehouse.duckdb");
    Files.writeString(sink.resolve("url"), "jdbc:duckdb:" + file);
    WorkerConfig worker =
        ArchiveFixtures.config("127.0.0.1:1", PIPELINE, null, null, 0, List.of(), List.of(), sink);
    config =
        Files.writeString(dir.resolve("config.json"), ConfigLoader.JSON.writeValueAsString(worker));

    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file)) {
      WarehouseLifecycle ops = warehouse.lifecycle();
      ops.init();
      Instant runA = Instant.parse("2026-10-10T03:15:00Z");
      for (int i = 0; i < 3; i++) {
        ops.record(
            row(
                "purge-a",
                ID,
                "archive",
                "PURGE_PII",
                "raw/it/audited/dt=2026-09-09/hour=0" + i + "/0-" + i + "00-" + i + "99.jsonl.gz",
                100,
                4096,
                runA));
      }
      ops.record(row("purge-a", ID, "curated", "DELETE_EXPIRED", "CURATED.SESSIONS", 2, 0, runA));
      ops.record(run("purge-a", runA, 29));
      Instant runB = Instant.parse("2026-10-11T03:15:00Z");
      ops.record(row("purge-b", ID, "raw", "NULL_PII", "RAW.CONTACTS", 3, 0, runB));
      ops.record(run("purge-b", runB, 28));
      // Outside the report: another Pipeline's row, and a run before the period.
      ops.record(
          row(
              "purge-x",
              "it/other",
              "archive",
              "PURGE_PII",
              "raw/it/other/x.jsonl.gz",
              1,
              1,
              runA));
      ops.record(
          row(
              "purge-old",
              ID,
              "archive",
              "DELETE_EXPIRED",
              "raw/it/audited/old.jsonl.gz",
              1,
              1,
              FROM.minus(Duration.ofDays(3))));
    }
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement sql = db.createStatement()) {
      sql.execute(
          "CREATE TABLE OPS.RUNS (RUN_ID VARCHAR, PIPELINE VARCHAR, MODEL VARCHAR,"
              + " STATUS VARCHAR, STARTED_AT TIMESTAMPTZ, ROWS_WRITTEN BIGINT)");
      sql.execute(
          "INSERT INTO OPS.RUNS VALUES"
              + " ('r1', 'audited', 'mrr', 'built', TIMESTAMPTZ '2026-10-02 04:00:00+00', 10),"
              + " ('r2', 'audited', 'mrr', 'built', TIMESTAMPTZ '2026-10-03 04:00:00+00', 12),"
              + " ('r2', 'audited', 'arr', 'failed', TIMESTAMPTZ '2026-10-03 04:01:00+00', 0),"
              + " ('r3', 'other', 'mrr', 'built', TIMESTAMPTZ '2026-10-03 04:00:00+00', 99)");
      try (PreparedStatement insert =
          db.prepareStatement(
              "INSERT INTO OPS.QUARANTINE (CONSUMER, TOPIC, KAFKA_PARTITION, KAFKA_OFFSET,"
                  + " RECORD_KEY, RECORD_VALUE, REASON, QUARANTINED_AT) VALUES"
                  + " (?, 'it.audited.validated', 0, ?, 'k', ?, ?, ?)")) {
        Object[][] rows = {
          {"load.it.audited", 1L, "WRONG_TYPE", "2026-10-05T00:00:00Z"},
          {"load.it.audited", 2L, "WRONG_TYPE", "2026-10-06T00:00:00Z"},
          {"load.it.audited", 3L, "MISSING_FIELD", "2026-10-07T00:00:00Z"},
          {"load.it.other", 4L, "WRONG_TYPE", "2026-10-05T00:00:00Z"},
          {"load.it.audited", 5L, "WRONG_TYPE", "2026-11-05T00:00:00Z"}
        };
        for (Object[] r : rows) {
          insert.setString(1, (String) r[0]);
          insert.setLong(2, (Long) r[1]);
          insert.setString(3, "{\"email\":\"" + QUARANTINED_PII + "\"}");
          insert.setString(4, (String) r[2]);
          insert.setObject(5, OffsetDateTime.parse((String) r[3]));
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
  }

  @Test
  void printsThePeriodsEvidenceAsATableAndAsJson() throws Exception {
    Path log = dir.resolve("table.log");
    try (WorkerProcess table =
        WorkerProcess.start(
            "audit-report",
            config,
            log,
            Map.of(),
            List.of("--pipeline", ID, "--from", FROM.toString(), "--to", TO.toString()))) {
      assertThat(table.waitForExit(Duration.ofMinutes(2))).isZero();
    }
    String text = Files.readString(log);
    assertThat(text)
        .as("only the report on standard output, no INFO log lines")
        .doesNotContain("\"level\":\"INFO\"")
        .contains("Audit report for Pipeline it/audited");
    assertThat(text)
        .contains(
            "Oldest raw PII per layer (as pii-purge run purge-b left it, 2026-10-11T03:15:00Z)",
            "pii-purge runs (2)",
            "Model runs (OPS.RUNS)",
            "Quarantined rows (OPS.QUARANTINE)",
            "Backfill chunks (OPS.BACKFILL_CHUNKS)",
            "none recorded: OPS.BACKFILL_CHUNKS is not in this warehouse")
        .containsPattern("purge-a +archive +PURGE_PII +COMPLETED +3 +300 +12,288")
        .containsPattern(
            "archive +s3://archive/raw/it/audited/ +2026-09-13T03:15:00Z +28d +30d +yes")
        .containsPattern("mrr +built +2 +22 +2026-10-02T04:00:00Z +2026-10-03T04:00:00Z")
        .containsPattern("load.it.audited +WRONG_TYPE +2 ")
        .doesNotContain("purge-x", "purge-old", "load.it.other")
        .doesNotContain(QUARANTINED_PII);

    Path json = dir.resolve("report.json");
    try (WorkerProcess process =
        WorkerProcess.start(
            "audit-report",
            config,
            dir.resolve("json.log"),
            Map.of(),
            List.of(
                "--pipeline",
                PIPELINE,
                "--from",
                FROM.toString(),
                "--to",
                TO.toString(),
                "--format",
                "json",
                "--output",
                json.toString()))) {
      assertThat(process.waitForExit(Duration.ofMinutes(2))).isZero();
    }
    JsonNode report = ConfigLoader.JSON.readTree(json.toFile());
    assertThat(report.path("pipeline").asText()).isEqualTo(ID);
    assertThat(report.path("from").asText()).isEqualTo("2026-10-01T00:00:00Z");
    assertThat(report.path("auditRows")).hasSize(7);
    assertThat(report.path("purgeRuns").findValuesAsText("runId"))
        .containsExactly("purge-a", "purge-b");
    assertThat(report.path("rawPii").path("layers"))
        .anySatisfy(
            layer -> {
              assertThat(layer.path("layer").asText()).isEqualTo("kafka");
              assertThat(layer.path("ageDays").asLong()).isEqualTo(7);
              assertThat(layer.path("within").asBoolean()).isTrue();
            });
    JsonNode quarantine = report.path("evidence").get(2);
    assertThat(quarantine.path("table").asText()).isEqualTo("OPS.QUARANTINE");
    assertThat(quarantine.path("groups").findValuesAsText("count")).containsExactly("2", "1");
    assertThat(Files.readString(json)).doesNotContain(QUARANTINED_PII);
  }

  @Test
  void aPipelineOtherThanTheConfigurationsIsAUsageError() throws Exception {
    Path log = dir.resolve("wrong.log");
    try (WorkerProcess process =
        WorkerProcess.start(
            "audit-report",
            config,
            log,
            Map.of(),
            List.of("--pipeline", "it/someone-else", "--from", FROM.toString()))) {
      assertThat(process.waitForExit(Duration.ofMinutes(2))).isEqualTo(2);
    }
    assertThat(Files.readString(log))
        .contains("--pipeline it/someone-else is not the Pipeline of this configuration");
  }

  private static AuditRow row(
      String runId,
      String pipeline,
      String layer,
      String action,
      String object,
      long rows,
      long bytes,
      Instant at) {
    return new AuditRow(
        runId,
        pipeline,
        layer,
        action,
        object,
        at.minus(Duration.ofDays(31)),
        at.minus(Duration.ofDays(30)),
        rows,
        bytes,
        "COMPLETED",
        "{}",
        at);
  }

  /** A RUN row as pii-purge writes it: its report in the detail. */
  private static AuditRow run(String runId, Instant finished, int archiveAgeDays) throws Exception {
    PurgeReport report =
        new PurgeReport(
            ArchiveFixtures.NAMESPACE,
            PIPELINE,
            runId,
            finished.minusSeconds(60),
            finished,
            true,
            "minimized PII in 3 archive objects",
            List.of(),
            List.of(
                new PurgeReport.LayerAge(
                    "archive",
                    "s3://archive/raw/it/audited/",
                    finished.minus(Duration.ofDays(archiveAgeDays)),
                    30),
                new PurgeReport.LayerAge(
                    "kafka", "it.audited.raw", finished.minus(Duration.ofDays(7)), 30)),
            List.of());
    return new AuditRow(
        runId,
        ID,
        "run",
        WarehouseLifecycle.RUN,
        ID,
        finished.minusSeconds(60),
        finished,
        0,
        0,
        "COMPLETED",
        ConfigLoader.JSON.writeValueAsString(report),
        finished.atOffset(ZoneOffset.UTC).toInstant());
  }
}
