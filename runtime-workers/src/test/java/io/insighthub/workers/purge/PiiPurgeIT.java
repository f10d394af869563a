package io.insighthub.workers.purge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.worker.Lifecycle;
import io.insighthub.crds.worker.PurgeReport;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.e2e.s3.S3Server;
import io.insighthub.e2e.s3.S3ServerExtension;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.WorkerProcess;
import io.insighthub.workers.archive.ArchiveStage;
import io.insighthub.workers.files.archive.ArchiveLayout;
import io.insighthub.workers.files.archive.ArchiveRecord;
import io.insighthub.workers.testing.ArchiveFixtures;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.TestDirs;
import io.insighthub.workers.testing.Topics;
import io.insighthub.workers.warehouse.Column;
import io.insighthub.workers.warehouse.ColumnType;
import io.insighthub.workers.warehouse.DuckDbWarehouse;
import io.insighthub.workers.warehouse.TableId;
import io.insighthub.workers.warehouse.WarehouseLifecycle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * pii-purge on a real archive (written by the archiver from a real topic), a real S3 server and a
 * DuckDB warehouse: objects of event dates past 30 days rewritten with the PII rules, none of their
 * raw PII values left in any object (a byte scan of everything decompressed), younger objects
 * untouched, expired objects and curated rows deleted, raw rows' PII nulled, one OPS.AUDIT row per
 * action; the purge SIGKILLed midway and run again reaches the same end, and a further run changes
 * nothing.
 */
@ExtendWith({KafkaBrokerExtension.class, S3ServerExtension.class})
class PiiPurgeIT {
  private static final String PIPELINE = "purge-events";
  private static final String HMAC_KEY = "purge-test-key";

  @Test
  void purgesMinimizesAndExpiresOnceAcrossAKill(KafkaBroker broker, S3Server s3) throws Exception {
    Topics.create(broker, 2, PIPELINE + ".raw");
    Path dir = TestDirs.fresh(PIPELINE);
    Path key = Files.writeString(dir.resolve("hmac-key"), HMAC_KEY + "\n");
    Path sink = Files.createDirectories(dir.resolve("sink"));
    Path warehouseFile = dir.resolve("warehouse.duckdb");
    Files.writeString(sink.resolve("url"), "jdbc:duckdb:" + warehouseFile);
    Lifecycle.Archive archive =
        ArchiveFixtures.archive(s3.createBucket(), PIPELINE, 4 * 1024, "1s");
    List<Lifecycle.Table> tables =
        List.of(
            new Lifecycle.Table(
                "CURATED.SESSIONS",
                "curated",
                "session_end",
                Lifecycle.TableAction.DELETE,
                1095,
                List.of()),
            new Lifecycle.Table(
                "RAW.CONTACTS",
                "raw",
                "loaded_at",
                Lifecycle.TableAction.NULL_PII,
                29,
                List.of("email", "phone")));
    WorkerConfig config =
        ArchiveFixtures.config(
            broker.bootstrapServers(),
            PIPELINE,
            archive,
            key,
            29,
            List.of(new Lifecycle.Topic(PIPELINE + ".raw", "raw", 7)),
            tables,
            sink);
    Path configFile =
        Files.writeString(dir.resolve("config.json"), ConfigLoader.JSON.writeValueAsString(config));
    Map<String, String> env = ArchiveFixtures.env(s3);

    // Events of 200 days ago (past the archive's 180), 40 and 35 days ago (past the purge age),
    // and 10 days ago and today (younger): each with its own e-mail, IP and phone.
    Instant now = Instant.now();
    Map<String, Integer> ages = new TreeMap<>();
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    Map<String, List<String>> piiByAge = new HashMap<>();
    int n = 0;
    for (int days : List.of(200, 40, 35, 10, 0)) {
      for (int i = 0; i < 120; i++) {
        String id = "e" + days + "-" + i;
        Instant at = now.minus(Duration.ofDays(days)).minus(Duration.ofMinutes(i * 7L));
        String email = "person" + days + "x" + i + "@example.org";
        String ip = "10." + days + "." + (i / 100) + "." + (i % 100);
        String phone = "+4930" + (1_000_000 + days * 1000 + i);
        piiByAge
            .computeIfAbsent(bucket(days), b -> new ArrayList<>())
            .addAll(List.of(email, ip, phone));
        String value =
            "{\"event_id\":\""
                + id
                + "\",\"occurred_at\":\""
                + at
                + "\",\"event_type\":\"signup\","
                + "\"email\":\""
                + email
                + "\",\"ip\":\""
                + ip
                + "\",\"phone\":\""
                + phone
                + "\"}";
        records.add(
            new ProducerRecord<>(
                PIPELINE + ".raw",
                id.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
        ages.put(id, days);
        n++;
      }
    }
    // A raw payload that is no JSON object, from 40 days ago by its Kafka time: removed on purge.
    String unreadable = "garbage person-unreadable@example.org";
    records.add(
        new ProducerRecord<>(
            PIPELINE + ".raw",
            null,
            now.minus(Duration.ofDays(40)).toEpochMilli(),
            "u-1".getBytes(StandardCharsets.UTF_8),
            unreadable.getBytes(StandardCharsets.UTF_8)));
    n++;
    Topics.produce(broker, records);
    int total = n;
    try (RunningStage archiver = RunningStage.start(new ArchiveStage(env), config)) {
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  ArchiveFixtures.objects(s3, archive).stream()
                          .mapToInt(o -> o.records().size())
                          .sum()
                      == total);
    }
    Map<String, String> youngBefore = etags(s3, archive, now.minus(Duration.ofDays(28)));
    assertThat(youngBefore).isNotEmpty();

    seedWarehouse(warehouseFile, now);

    // First run killed as soon as it has purged something, then run to the end.
    WorkerProcess first =
        WorkerProcess.start("pii-purge", configFile, dir.resolve("purge-1.log"), env);
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                ArchiveFixtures.objects(s3, archive).stream().anyMatch(o -> o.key().purged())
                    || !first.isAlive());
    first.kill();
    boolean killedMidway =
        ArchiveFixtures.objects(s3, archive).stream()
            .anyMatch(
                o -> !o.key().purged() && o.key().hour().isBefore(now.minus(Duration.ofDays(30))));
    WorkerProcess second =
        WorkerProcess.start("pii-purge", configFile, dir.resolve("purge-2.log"), env);
    assertThat(second.waitForExit(Duration.ofMinutes(3))).as("exit code of the rerun").isZero();

    // Byte scan: no raw PII of the purged ages anywhere; the young ones kept as they were.
    String scanned = new String(ArchiveFixtures.uncompressed(s3, archive), StandardCharsets.UTF_8);
    for (String value : piiByAge.get("old")) {
      assertThat(scanned).doesNotContain(value);
    }
    assertThat(scanned).doesNotContain("person-unreadable@example.org");
    for (String value : piiByAge.get("young")) {
      assertThat(scanned).contains(value);
    }
    assertThat(etags(s3, archive, now.minus(Duration.ofDays(28)))).isEqualTo(youngBefore);

    // Purged records: validate's HMAC of the e-mail, the IP dropped, the phone masked.
    List<ArchiveFixtures.StoredObject> objects = ArchiveFixtures.objects(s3, archive);
    List<String> ids = new ArrayList<>();
    for (ArchiveFixtures.StoredObject object : objects) {
      boolean old = object.key().hour().isBefore(now.minus(Duration.ofDays(29)));
      assertThat(object.key().purged()).as(object.key().key()).isEqualTo(old);
      for (ArchiveRecord record : object.records()) {
        String id = new String(record.key(), StandardCharsets.UTF_8);
        ids.add(id);
        if (!old) {
          continue;
        }
        if (id.equals("u-1")) {
          assertThat(record.value()).isNull();
          assertThat(record.purged()).isEqualTo(ArchiveRecord.UNREADABLE);
          continue;
        }
        var event = ConfigLoader.JSON.readTree(record.value());
        int days = ages.get(id);
        int i = Integer.parseInt(id.substring(id.indexOf('-') + 1));
        assertThat(event.get("email").asText())
            .isEqualTo(hmac("person" + days + "x" + i + "@example.org"));
        assertThat(event.has("ip")).isFalse();
        assertThat(event.get("phone").asText()).isEqualTo("***");
        assertThat(record.purged()).isEqualTo(ArchiveRecord.MINIMIZED);
      }
    }
    // 200 days ago is past the retention: deleted; the rest each once.
    assertThat(ids).doesNotHaveDuplicates().noneMatch(id -> id.startsWith("e200-"));
    assertThat(ids).hasSize(total - 120);

    List<WarehouseLifecycle.AuditRow> audit;
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(warehouseFile)) {
      audit =
          warehouse
              .lifecycle()
              .audit(
                  ArchiveFixtures.NAMESPACE + "/" + PIPELINE,
                  now.minus(Duration.ofDays(1)),
                  Instant.now().plusSeconds(60));
    }
    long purgedOriginals = objects.stream().filter(o -> o.key().purged()).count();
    assertThat(audit.stream().filter(r -> r.action().equals("PURGE_PII")))
        .as("one row per purged object, also across the kill")
        .hasSize((int) purgedOriginals)
        .extracting(WarehouseLifecycle.AuditRow::object)
        .doesNotHaveDuplicates();
    assertThat(
            audit.stream()
                .filter(r -> r.action().equals("DELETE_EXPIRED") && r.layer().equals("archive")))
        .isNotEmpty()
        .allMatch(r -> r.object().contains("/dt="));
    assertThat(audit)
        .filteredOn(r -> r.object().equals("CURATED.SESSIONS"))
        .singleElement()
        .satisfies(r -> assertThat(r.rows()).isEqualTo(2));
    assertThat(audit)
        .filteredOn(r -> r.object().equals("RAW.CONTACTS"))
        .singleElement()
        .satisfies(r -> assertThat(r.rows()).isEqualTo(3));
    assertWarehouseAfterPurge(warehouseFile);

    // The run's report on the watermark topic, with the oldest raw PII per layer.
    PurgeReport report = latestReport(broker);
    assertThat(report.succeeded()).isTrue();
    assertThat(report.rawPii())
        .extracting(PurgeReport.LayerAge::layer)
        .contains("archive", "raw", "kafka");
    assertThat(report.rawPii())
        .filteredOn(a -> a.layer().equals("archive"))
        .singleElement()
        .satisfies(a -> assertThat(a.oldest()).isAfter(now.minus(Duration.ofDays(30))));

    // A further run changes nothing: same objects, same rows, only its own RUN row recorded.
    Map<String, String> everything = etags(s3, archive, Instant.MAX);
    WorkerProcess third =
        WorkerProcess.start("pii-purge", configFile, dir.resolve("purge-3.log"), env);
    assertThat(third.waitForExit(Duration.ofMinutes(3))).isZero();
    assertThat(etags(s3, archive, Instant.MAX)).isEqualTo(everything);
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(warehouseFile)) {
      List<WarehouseLifecycle.AuditRow> after =
          warehouse
              .lifecycle()
              .audit(
                  ArchiveFixtures.NAMESPACE + "/" + PIPELINE,
                  now.minus(Duration.ofDays(1)),
                  Instant.now().plusSeconds(60));
      assertThat(after.stream().filter(r -> !r.action().equals("RUN")).toList())
          .isEqualTo(audit.stream().filter(r -> !r.action().equals("RUN")).toList());
      assertThat(after.stream().filter(r -> r.action().equals("RUN")).count())
          .isEqualTo(audit.stream().filter(r -> r.action().equals("RUN")).count() + 1);
    }
    assertWarehouseAfterPurge(warehouseFile);
    PurgeReport again = latestReport(broker);
    assertThat(again.message()).startsWith("nothing to purge or expire");
    // The test's raw topic keeps its records forever: the verification finds it, changes nothing.
    assertThat(again.problems())
        .singleElement()
        .asString()
        .contains("topic " + PIPELINE + ".raw keeps records forever");
    assertThat(killedMidway)
        .as("the first run was killed before it had purged everything")
        .isTrue();

    // What an auditor reads back: the two complete runs (and the killed one, unfinished, when it
    // recorded an action before the kill), each purged object once, the archive within the limit.
    Path evidence = dir.resolve("audit-report.json");
    try (WorkerProcess auditor =
        WorkerProcess.start(
            "audit-report",
            configFile,
            dir.resolve("audit-report.log"),
            env,
            List.of(
                "--pipeline",
                PIPELINE,
                "--from",
                now.minus(Duration.ofDays(1)).toString(),
                "--format",
                "json",
                "--output",
                evidence.toString()))) {
      assertThat(auditor.waitForExit(Duration.ofMinutes(2))).isZero();
    }
    var json = ConfigLoader.JSON.readTree(evidence.toFile());
    List<String> outcomes = json.path("purgeRuns").findValuesAsText("outcome");
    assertThat(outcomes).hasSizeBetween(2, 3).endsWith("COMPLETED", "COMPLETED");
    assertThat(outcomes.subList(0, outcomes.size() - 2)).allMatch("UNFINISHED"::equals);
    long reportedPurges = 0;
    for (var action : json.path("actions")) {
      if (action.path("action").asText().equals("PURGE_PII")) {
        reportedPurges += action.path("objects").asLong();
      }
    }
    assertThat(reportedPurges).isEqualTo(purgedOriginals);
    assertThat(json.path("rawPii").path("layers"))
        .filteredOn(layer -> layer.path("layer").asText().equals("archive"))
        .singleElement()
        .satisfies(layer -> assertThat(layer.path("within").asBoolean()).isTrue());
  }

  private static String bucket(int days) {
    return days == 200 ? "expired" : days >= 35 ? "old" : "young";
  }

  private static String hmac(String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(HMAC_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Key to ETag of every data object of an hour before {@code before}. */
  private static Map<String, String> etags(S3Server s3, Lifecycle.Archive archive, Instant after) {
    Map<String, String> etags = new TreeMap<>();
    try (S3Client client = s3.client()) {
      client
          .listObjectsV2Paginator(b -> b.bucket(archive.bucket()).prefix(archive.prefix()))
          .forEach(
              page ->
                  page.contents()
                      .forEach(
                          o ->
                              ArchiveLayout.parse(archive.prefix(), o.key())
                                  .filter(
                                      k -> after.equals(Instant.MAX) || !k.hour().isBefore(after))
                                  .ifPresent(k -> etags.put(o.key(), o.eTag()))));
    }
    return etags;
  }

  /** Curated sessions of 4 years and of 1 year ago; raw contacts with PII of 40 and 5 days ago. */
  private static void seedWarehouse(Path file, Instant now) throws Exception {
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(file)) {
      warehouse.ensureTable(
          new TableId("CURATED", "SESSIONS"),
          List.of(
              new Column("SESSION_ID", ColumnType.VARCHAR),
              new Column("SESSION_END", ColumnType.VARCHAR)),
          List.of("SESSION_ID"));
      warehouse.ensureTable(
          new TableId("RAW", "CONTACTS"),
          List.of(
              new Column("ID", ColumnType.VARCHAR),
              new Column("EMAIL", ColumnType.VARCHAR),
              new Column("PHONE", ColumnType.VARCHAR),
              new Column("LOADED_AT", ColumnType.TIMESTAMPTZ)),
          List.of("ID"));
    }
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement sql = db.createStatement()) {
      String old = now.minus(Duration.ofDays(4 * 365)).truncatedTo(ChronoUnit.SECONDS).toString();
      String kept = now.minus(Duration.ofDays(365)).truncatedTo(ChronoUnit.SECONDS).toString();
      sql.execute(
          "INSERT INTO CURATED.SESSIONS VALUES ('s1','"
              + old
              + "'),('s2','"
              + old
              + "'),('s3','"
              + kept
              + "')");
      sql.execute(
          "INSERT INTO RAW.CONTACTS VALUES"
              + " ('c1','old1@example.org','+1',TIMESTAMPTZ '"
              + now.minus(Duration.ofDays(40))
              + "'),"
              + " ('c2','old2@example.org',NULL,TIMESTAMPTZ '"
              + now.minus(Duration.ofDays(40))
              + "'),"
              + " ('c3',NULL,'+3',TIMESTAMPTZ '"
              + now.minus(Duration.ofDays(31))
              + "'),"
              + " ('c4','new@example.org','+4',TIMESTAMPTZ '"
              + now.minus(Duration.ofDays(5))
              + "')");
    }
  }

  private static void assertWarehouseAfterPurge(Path file) throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:" + file);
        Statement sql = db.createStatement()) {
      try (ResultSet sessions =
          sql.executeQuery("SELECT SESSION_ID FROM CURATED.SESSIONS ORDER BY 1")) {
        List<String> left = new ArrayList<>();
        while (sessions.next()) {
          left.add(sessions.getString(1));
        }
        assertThat(left).containsExactly("s3");
      }
      try (ResultSet contacts =
          sql.executeQuery("SELECT ID, EMAIL, PHONE FROM RAW.CONTACTS ORDER BY 1")) {
        List<String> rows = new ArrayList<>();
        while (contacts.next()) {
          rows.add(
              contacts.getString(1) + "," + contacts.getString(2) + "," + contacts.getString(3));
        }
        assertThat(rows)
            .containsExactly(
                "c1,null,null", "c2,null,null", "c3,null,null", "c4,new@example.org,+4");
      }
    }
  }

  private static PurgeReport latestReport(KafkaBroker broker) throws Exception {
    try (Topics.Reader watermarks = Topics.reader(broker, WorkerConfig.WATERMARK_TOPIC)) {
      PurgeReport latest = null;
      for (ConsumerRecord<byte[], byte[]> record : watermarks.readToEnd(Duration.ofSeconds(20))) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        if (PurgeReport.isKey(key) && key.contains(PIPELINE)) {
          latest = ConfigLoader.JSON.readValue(record.value(), PurgeReport.class);
        }
      }
      assertThat(latest).as("a purge report").isNotNull();
      return latest;
    }
  }
}
