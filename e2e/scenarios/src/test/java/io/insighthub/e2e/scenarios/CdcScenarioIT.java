package io.insighthub.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The billing CDC scenario as a user drives it: the sample CdcSource and billing Pipeline applied
 * with kubectl against a live PostgreSQL, Debezium capturing it through the KafkaConnector the
 * operator renders, the cdc-load worker merging it into the warehouse. The database goes quiet for
 * longer than the SLA: the heartbeats keep every table within it. The loader hangs: the Pipeline's
 * FreshnessSLAMet turns False naming the stalled tables; it resumes: the condition recovers, and
 * every warehouse table equals its source table.
 */
class CdcScenarioIT {
  private static final String NS = Kubectl.NS;
  private static final Duration WAIT = Duration.ofMinutes(4);
  private static final Duration SLA = Duration.ofSeconds(30);
  private static InsightHubStack stack;
  private static Kubectl kubectl;

  @BeforeAll
  static void startStack() {
    stack = Kubectl.startStack("cdc", true);
    kubectl = Kubectl.on(stack);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void aStalledLoaderTurnsFreshnessFalseAndNoRowIsLost() throws Exception {
    stack.applySamples(List.of("01-cdcsource-billing-db.yaml", "11-pipeline-billing.yaml"));
    kubectl(
        "patch",
        "pipeline",
        "billing",
        "--type",
        "merge",
        "-p",
        "{\"spec\":{\"freshness\":{\"streamingSla\":\"" + SLA.toSeconds() + "s\"}}}");
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> get("cdcsource", "billing-db", "Ready"), "True"::equals);

    // Changes flow: the CDC tables turn fresh.
    for (int i = 0; i < 50; i++) {
      stack.billing().transaction();
    }
    awaitTableFreshness("VALIDATED.INVOICES", "true");

    // The database goes quiet for longer than the SLA: the newest loaded change ages past it, but
    // the connector's heartbeats let cdc-load prove every table complete, so none turns late.
    List<String> tables =
        List.of("VALIDATED.ACCOUNTS", "VALIDATED.SUBSCRIPTIONS", "VALIDATED.INVOICES");
    for (String table : tables) {
      awaitTableFreshness(table, "true");
    }
    Instant quiet = Instant.now();
    ThrowingRunnable stillFresh =
        () -> {
          for (String table : tables) {
            assertThat(tableFreshness(table, "withinSla"))
                .as(
                    "%s within SLA %s s into a quiet database",
                    table, Duration.between(quiet, Instant.now()).toSeconds())
                .isEqualTo("true");
          }
          assertThat(get("pipeline", "billing", "FreshnessSLAMet")).isNotEqualTo("False");
        };
    await()
        .during(SLA.plusSeconds(20))
        .atMost(SLA.plusSeconds(30))
        .pollInterval(Duration.ofSeconds(2))
        .failFast(stillFresh)
        // The check runs at every poll and fails the test at once; nothing else is awaited.
        .until(() -> true);
    Instant lastChange =
        Instant.parse(
            kubectl("get", "cdcsource", "billing-db", "-o", "jsonpath={.status.lastEventTime}"));
    Instant completeAsOf = Instant.parse(tableFreshness("VALIDATED.INVOICES", "completeAsOf"));
    System.out.printf(
        "quiet database: newest change %d s old, tables complete as of %d s ago (SLA %d s), lag %s s%n",
        Duration.between(lastChange, Instant.now()).toSeconds(),
        Duration.between(completeAsOf, Instant.now()).toSeconds(),
        SLA.toSeconds(),
        tableFreshness("VALIDATED.INVOICES", "lagSeconds"));
    assertThat(Duration.between(lastChange, Instant.now())).isGreaterThan(SLA);
    assertThat(Duration.between(completeAsOf, Instant.now())).isLessThan(SLA);
    assertThat(get("cdcsource", "billing-db", "Streaming")).isEqualTo("True");

    // The loader hangs (alive, doing nothing) while the database keeps changing.
    stack.signalWorker("billing-db-cdc-load", "STOP");
    Instant frozen = Instant.now();
    await()
        .atMost(SLA.plus(Duration.ofSeconds(60)))
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> get("pipeline", "billing", "FreshnessSLAMet"), "False"::equals);
    Duration detected = Duration.between(frozen, Instant.now());
    System.out.printf(
        "FreshnessSLAMet False %d s after the loader hung: %s%n",
        detected.toSeconds(), condition("pipeline", "billing", "FreshnessSLAMet", "message"));
    // The newest loaded change ages past the SLA first (LagExceedsSla); once no load has
    // committed within the SLA either, the reason names the stalled loader.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> condition("pipeline", "billing", "FreshnessSLAMet", "reason"),
            "LoaderStalled"::equals);
    String message = condition("pipeline", "billing", "FreshnessSLAMet", "message");
    assertThat(message).contains("VALIDATED.INVOICES", "VALIDATED.ACCOUNTS", "last load");
    System.out.printf(
        "LoaderStalled %d s after the loader hung: %s%n",
        Duration.between(frozen, Instant.now()).toSeconds(), message);
    for (int i = 0; i < 50; i++) {
      stack.billing().transaction();
    }

    // It resumes: freshness recovers, then the warehouse equals the source.
    stack.signalWorker("billing-db-cdc-load", "CONT");
    awaitTableFreshness("VALIDATED.INVOICES", "true");
    Instant last = Instant.now();
    stack.billing().transaction();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () ->
                kubectl("get", "cdcsource", "billing-db", "-o", "jsonpath={.status.lastEventTime}"),
            t -> !t.isBlank() && !Instant.parse(t).isBefore(last.minusSeconds(1)));
    kubectl.suspend("cdcsource", "billing-db", true);
    // The loader's Pod is gone once its process stopped: the warehouse file is closed.
    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl(
                    "get", "pods", "-l", "data.insighthub.io/cdc-source=billing-db", "-o", "name"),
            String::isBlank);
    assertSameRows();
  }

  /** Row counts, sums and the TOAST column of each table, source against warehouse. */
  private static void assertSameRows() throws SQLException {
    Properties readOnly = new Properties();
    readOnly.setProperty("duckdb.read_only", "true");
    try (Connection duck =
            DriverManager.getConnection("jdbc:duckdb:" + stack.billingWarehouse(), readOnly);
        Statement warehouse = duck.createStatement();
        Statement source = stack.billing().connection().createStatement()) {
      String live = " WHERE NOT coalesce(_deleted, false)";
      assertThat(single(warehouse, "SELECT count(*) FROM VALIDATED.ACCOUNTS" + live))
          .isEqualTo(single(source, "SELECT count(*) FROM accounts"));
      assertThat(single(warehouse, "SELECT sum(balance) FROM VALIDATED.ACCOUNTS" + live))
          .isEqualTo(single(source, "SELECT sum(balance) FROM accounts"));
      assertThat(single(warehouse, "SELECT sum(seats) FROM VALIDATED.SUBSCRIPTIONS" + live))
          .isEqualTo(single(source, "SELECT sum(seats) FROM subscriptions"));
      assertThat(single(warehouse, "SELECT count(*) FROM VALIDATED.INVOICES" + live))
          .isEqualTo(single(source, "SELECT count(*) FROM invoices"));
      assertThat(single(warehouse, "SELECT sum(amount) FROM VALIDATED.INVOICES" + live))
          .isEqualTo(single(source, "SELECT sum(amount) FROM invoices"));
      assertThat(
              single(
                  warehouse,
                  "SELECT string_agg(status || ':' || length(notes), ',' ORDER BY id)"
                      + " FROM VALIDATED.INVOICES"
                      + live))
          .as("status and the unchanged TOAST notes of every invoice")
          .isEqualTo(
              single(
                  source,
                  "SELECT string_agg(status || ':' || length(notes), ',' ORDER BY id)"
                      + " FROM invoices"));
    }
  }

  private static String single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getBigDecimal(1) != null
          ? rs.getBigDecimal(1).stripTrailingZeros().toPlainString()
          : rs.getString(1);
    } catch (SQLException | NumberFormatException notNumeric) {
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static void awaitTableFreshness(String table, String withinSla) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () ->
                kubectl(
                    "get",
                    "pipeline",
                    "billing",
                    "-o",
                    "jsonpath={.status.freshness[?(@.table==\"" + table + "\")].withinSla}"),
            withinSla::equals);
  }

  private static String tableFreshness(String table, String field) {
    return kubectl(
        "get",
        "pipeline",
        "billing",
        "-o",
        "jsonpath={.status.freshness[?(@.table==\"" + table + "\")]." + field + "}");
  }

  private static String get(String kind, String name, String type) {
    return condition(kind, name, type, "status");
  }

  private static String condition(String kind, String name, String type, String field) {
    return kubectl.condition(kind, name, type, field);
  }

  private static String kubectl(String... args) {
    return kubectl.run(args);
  }
}
