package io.insighthub.workers.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.crds.v1alpha1.CdcSourceSpec;
import io.insighthub.crds.v1alpha1.SinkSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.connect.KafkaConnect;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.e2e.postgres.PostgresServer;
import io.insighthub.workers.ConfigLoader;
import io.insighthub.workers.WorkerProcess;
import io.insighthub.workers.warehouse.DuckDbWarehouse;
import io.insighthub.workers.warehouse.SourceOffset;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real PostgreSQL, real Debezium in a real Kafka Connect worker, the real broker, and cdc-load as
 * its own process, killed with SIGKILL at random points and once rewound: at the end every
 * warehouse table equals its source table row for row.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CdcEndToEndIT {
  private static final String PREFIX = "cdc-e2e";
  private static final List<String> TABLES =
      List.of("public.accounts", "public.subscriptions", "public.invoices");
  private static final String CONSUMER = "cdc-load.billing-ns.billing";
  private static final Path WORK = Path.of("target", "test-bed", "cdc-e2e").toAbsolutePath();

  private final Random random = new Random(20261127L);
  private PostgresServer postgres;
  private KafkaConnect connect;
  private KafkaBroker broker;
  private Connection source;
  private long nextId = 10_000;

  @BeforeAll
  void startTestBed(KafkaBroker broker) throws Exception {
    this.broker = broker;
    postgres = PostgresServer.start(WORK.resolve("postgres"));
    try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"));
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE billing");
    }
    source = DriverManager.getConnection(postgres.jdbcUrl("billing"));
    createBillingTables();
    connect =
        KafkaConnect.start(WORK.resolve("connect"), broker.bootstrapServers(), "cdc-e2e-connect");
  }

  @AfterAll
  void stopTestBed() throws SQLException {
    if (connect != null) {
      connect.close();
    }
    if (source != null) {
      source.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void warehouseEqualsSourceAfterCrashesRestartsAndARewind() throws Exception {
    connect.putConnector(
        "billing",
        DebeziumTestConfig.connector(
            connect,
            postgres.host(),
            postgres.port(),
            "billing",
            PREFIX,
            TABLES,
            "billing_slot",
            "billing_pub"));
    await("connector running")
        .atMost(Duration.ofSeconds(90))
        .until(() -> connect.status("billing"), s -> s.equals("RUNNING [RUNNING]"));

    Path warehouseFile = WORK.resolve("warehouse.duckdb");
    Files.deleteIfExists(warehouseFile);
    Path config = writeConfig(warehouseFile);
    Path log = WORK.resolve("cdc-load.log");
    Files.deleteIfExists(log);

    int kills = 0;
    long redelivered = 0;
    for (int round = 1; round <= 6; round++) {
      try (WorkerProcess loader = WorkerProcess.start("cdc-load", config, log)) {
        if (round == 2) {
          execute("ALTER TABLE accounts ADD COLUMN region text");
        }
        workload(150 + random.nextInt(150), round >= 2);
        int progress = 1 + random.nextInt(150);
        await("loader round " + round + " applied " + progress + " records")
            .atMost(Duration.ofSeconds(90))
            .until(() -> recordsLoaded(loader) >= progress);
        loader.kill();
        kills++;
      }
      if (round == 3) {
        redelivered = rewindOffsets(warehouseFile);
      }
    }

    try (WorkerProcess loader = WorkerProcess.start("cdc-load", config, log)) {
      execute("INSERT INTO accounts (id, name, plan) VALUES (0, 'end-marker', 'none')");
      String markerLsn =
          query("SELECT pg_current_wal_lsn()::text").getFirst().getFirst().toString();
      await("Debezium has shipped every change")
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  (Boolean)
                      query(
                              "SELECT confirmed_flush_lsn >= '"
                                  + markerLsn
                                  + "'::pg_lsn FROM pg_replication_slots WHERE slot_name ="
                                  + " 'billing_slot'")
                          .getFirst()
                          .getFirst());
      await("the loader has caught up").atMost(Duration.ofSeconds(90)).until(this::caughtUp);
      // 143: the JVM reports SIGTERM even after the stage stopped cleanly.
      assertThat(loader.stop(Duration.ofSeconds(30))).isIn(0, 143);
    }

    assertThat(kills).isGreaterThanOrEqualTo(5);
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(warehouseFile)) {
      long ignored =
          ((Number)
                  warehouse
                      .query("SELECT SUM(\"OFFERED\" - \"APPLIED\") AS N FROM \"OPS\".\"LOADS\"")
                      .getFirst()
                      .get("N"))
              .longValue();
      System.out.printf(
          "CDC end-to-end: %d kills, %d events redelivered by the rewind, %d changes older than"
              + " the warehouse ignored, %d unchanged-TOAST events%n",
          kills, redelivered, ignored, toastPlaceholders());
      assertThat(redelivered).isPositive();
      assertThat(ignored).isPositive();
      assertThat(warehouse.query("SELECT * FROM \"OPS\".\"QUARANTINE\"")).isEmpty();
      for (String table : List.of("accounts", "subscriptions", "invoices")) {
        List<String> expected = sourceRows(table);
        List<String> actual = warehouseRows(warehouse, table, columns(table));
        assertThat(checksum(actual))
            .as(
                "checksum of %s (%d source rows, %d warehouse rows)",
                table, expected.size(), actual.size())
            .isEqualTo(checksum(expected));
      }
    }
    assertThat(toastPlaceholders()).as("updates that left the TOAST column unchanged").isPositive();
  }

  private void createBillingTables() throws SQLException {
    execute(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, plan text,"
            + " balance numeric(12,2), created_at timestamp)");
    execute(
        "CREATE TABLE subscriptions (id bigint PRIMARY KEY, account_id bigint, plan text,"
            + " seats int, active boolean, started date)");
    execute(
        "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint, amount numeric(12,2),"
            + " status text, notes text)");
    // Out of line and uncompressed: every notes value is a TOAST value.
    execute("ALTER TABLE invoices ALTER COLUMN notes SET STORAGE EXTERNAL");
    for (int i = 0; i < 60; i++) {
      insert("accounts");
      insert("subscriptions");
      insert("invoices");
    }
  }

  /** Random inserts, updates, deletes, key changes and multi-table transactions. */
  private void workload(int operations, boolean withRegion) throws SQLException {
    for (int i = 0; i < operations; i++) {
      String table = List.of("accounts", "subscriptions", "invoices").get(random.nextInt(3));
      int dice = random.nextInt(100);
      if (dice < 30) {
        insert(table);
      } else if (dice < 70) {
        update(table, withRegion);
      } else if (dice < 80) {
        delete(table);
      } else if (dice < 88) {
        changeKey(table);
      } else {
        source.setAutoCommit(false);
        insert("accounts");
        update("subscriptions", withRegion);
        update("invoices", withRegion);
        if (random.nextBoolean()) {
          delete("subscriptions");
        }
        source.commit();
        source.setAutoCommit(true);
      }
    }
  }

  private void insert(String table) throws SQLException {
    long id = nextId++;
    switch (table) {
      case "accounts" ->
          execute(
              "INSERT INTO accounts (id, name, plan, balance, created_at) VALUES (?, ?, ?, ?,"
                  + " TIMESTAMP '2026-01-01 00:00:00' + ? * INTERVAL '1 second')",
              id,
              "account-" + id,
              plan(),
              money(),
              (long) random.nextInt(1_000_000));
      case "subscriptions" ->
          execute(
              "INSERT INTO subscriptions (id, account_id, plan, seats, active, started) VALUES"
                  + " (?, ?, ?, ?, ?, DATE '2025-01-01' + ?::int)",
              id,
              (long) random.nextInt(100),
              plan(),
              random.nextInt(500),
              random.nextBoolean(),
              random.nextInt(365));
      default ->
          execute(
              "INSERT INTO invoices (id, account_id, amount, status, notes) VALUES (?, ?, ?, ?, ?)",
              id,
              (long) random.nextInt(100),
              money(),
              "open",
              notes());
    }
  }

  private void update(String table, boolean withRegion) throws SQLException {
    Long id = anyId(table);
    if (id == null) {
      return;
    }
    switch (table) {
      case "accounts" ->
          execute(
              withRegion
                  ? "UPDATE accounts SET plan = ?, balance = ?, region = ? WHERE id = ?"
                  : "UPDATE accounts SET plan = ?, balance = ?, name = name || ? WHERE id = ?",
              plan(),
              money(),
              withRegion ? List.of("eu", "us", "apac").get(random.nextInt(3)) : "+",
              id);
      case "subscriptions" ->
          execute(
              "UPDATE subscriptions SET seats = seats + 1, active = NOT active WHERE id = ?", id);
      default -> {
        if (random.nextInt(5) == 0) {
          execute("UPDATE invoices SET notes = ?, status = 'amended' WHERE id = ?", notes(), id);
        } else {
          // Leaves the TOAST column unchanged: Debezium sends its placeholder.
          execute(
              "UPDATE invoices SET status = ?, amount = ? WHERE id = ?",
              List.of("paid", "void", "overdue").get(random.nextInt(3)),
              money(),
              id);
        }
      }
    }
  }

  private void delete(String table) throws SQLException {
    Long id = anyId(table);
    if (id != null) {
      execute("DELETE FROM " + table + " WHERE id = ?", id);
    }
  }

  private void changeKey(String table) throws SQLException {
    Long id = anyId(table);
    if (id != null) {
      execute("UPDATE " + table + " SET id = ? WHERE id = ?", nextId++, id);
    }
  }

  private Long anyId(String table) throws SQLException {
    List<List<Object>> rows =
        query(
            "SELECT id FROM "
                + table
                + " WHERE id > 0 ORDER BY id OFFSET "
                + random.nextInt(50)
                + " LIMIT 1");
    return rows.isEmpty() ? null : ((Number) rows.getFirst().getFirst()).longValue();
  }

  private String plan() {
    return List.of("free", "team", "business", "enterprise").get(random.nextInt(4));
  }

  private BigDecimal money() {
    return BigDecimal.valueOf(random.nextInt(10_000_000), 2);
  }

  private String notes() {
    StringBuilder text = new StringBuilder(6_000);
    while (text.length() < 6_000) {
      text.append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36));
    }
    return text.toString();
  }

  /** Sets every stored offset back to half, so the next loader re-reads what it had applied. */
  private long rewindOffsets(Path warehouseFile) {
    long redelivered = 0;
    try (DuckDbWarehouse warehouse = DuckDbWarehouse.open(warehouseFile)) {
      List<SourceOffset> offsets = warehouse.offsets(CONSUMER);
      assertThat(offsets).isNotEmpty();
      for (SourceOffset offset : offsets) {
        redelivered += offset.nextOffset() - offset.nextOffset() / 2;
      }
      warehouse.query(
          "UPDATE \"OPS\".\"OFFSETS\" SET \"NEXT_OFFSET\" = \"NEXT_OFFSET\" // 2 WHERE \"CONSUMER\" = ?"
              + " RETURNING 1",
          CONSUMER);
    }
    return redelivered;
  }

  private static long recordsLoaded(WorkerProcess loader) {
    return loader
        .metrics()
        .lines()
        .filter(l -> l.startsWith("insighthub_cdc_load_records_total"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private boolean caughtUp() throws Exception {
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(CONSUMER).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest =
          TABLES.stream()
              .collect(
                  Collectors.toMap(
                      t -> new TopicPartition(PREFIX + "." + t, 0), t -> OffsetSpec.latest()));
      var ends = admin.listOffsets(latest).all().get();
      return ends.entrySet().stream()
          .allMatch(
              e ->
                  committed.containsKey(e.getKey())
                      && committed.get(e.getKey()).offset() == e.getValue().offset());
    }
  }

  private long toastPlaceholders() {
    TopicPartition invoices = new TopicPartition(PREFIX + ".public.invoices", 0);
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
      consumer.assign(List.of(invoices));
      consumer.seekToBeginning(List.of(invoices));
      long end = consumer.endOffsets(List.of(invoices)).get(invoices);
      long count = 0;
      while (consumer.position(invoices) < end) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
          if (record.value() != null && record.value().contains(DebeziumParser.UNAVAILABLE)) {
            count++;
          }
        }
      }
      return count;
    }
  }

  private Path writeConfig(Path warehouseFile) throws Exception {
    Path connection = Files.createDirectories(WORK.resolve("warehouse-secret"));
    Files.writeString(connection.resolve("url"), "jdbc:duckdb:" + warehouseFile);
    WorkerConfig config =
        new WorkerConfig(
            WorkerConfig.CURRENT_VERSION,
            "billing-ns",
            "billing",
            new WorkerConfig.Kafka(
                broker.bootstrapServers(), null, null, null, null, WorkerConfig.WATERMARK_TOPIC),
            null,
            new WorkerConfig.Cdc(PREFIX, TABLES, CdcSourceSpec.DeleteMode.SOFT),
            null,
            null,
            List.of(),
            new WorkerConfig.Sink(
                connection.toString(), "ANALYTICS", "RAW", null, SinkSpec.Mode.MERGE),
            null,
            null);
    Path file = WORK.resolve("config.json");
    Files.writeString(file, ConfigLoader.JSON.writeValueAsString(config));
    return file;
  }

  private List<String> columns(String table) throws SQLException {
    return query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = '"
                + table
                + "' ORDER BY ordinal_position")
        .stream()
        .map(r -> r.getFirst().toString())
        .toList();
  }

  private List<String> sourceRows(String table) throws SQLException {
    List<String> columns = columns(table);
    return query("SELECT " + String.join(", ", columns) + " FROM " + table).stream()
        .map(CdcEndToEndIT::canonical)
        .sorted()
        .toList();
  }

  private static List<String> warehouseRows(
      DuckDbWarehouse warehouse, String table, List<String> columns) {
    String select =
        columns.stream().map(c -> "\"" + c.toUpperCase() + "\"").collect(Collectors.joining(", "));
    return warehouse
        .query(
            "SELECT "
                + select
                + " FROM \"RAW\".\""
                + table.toUpperCase()
                + "\" WHERE NOT \"_DELETED\"")
        .stream()
        .map(row -> canonical(columns.stream().map(c -> row.get(c.toUpperCase())).toList()))
        .sorted()
        .toList();
  }

  /** One row as text, the same for PostgreSQL's and DuckDB's Java types. */
  private static String canonical(List<Object> row) {
    return row.stream()
        .map(
            v ->
                switch (v) {
                  case null -> "∅";
                  case BigDecimal d -> d.toPlainString();
                  case Number n -> Long.toString(n.longValue());
                  case java.sql.Timestamp t -> t.toLocalDateTime().toString();
                  case java.sql.Date d -> d.toLocalDate().toString();
                  default -> v.toString();
                })
        .collect(Collectors.joining("|"));
  }

  private static String checksum(List<String> rows) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (String row : rows) {
      sha.update(row.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) '\n');
    }
    return rows.size() + " rows, sha256 " + HexFormat.of().formatHex(sha.digest());
  }

  private void execute(String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = source.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      statement.execute();
    }
  }

  private List<List<Object>> query(String sql) throws SQLException {
    try (Statement statement = source.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<List<Object>> result = new ArrayList<>();
      int width = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        List<Object> row = new ArrayList<>(width);
        for (int i = 1; i <= width; i++) {
          row.add(rows.getObject(i));
        }
        result.add(row);
      }
      return result;
    }
  }
}
