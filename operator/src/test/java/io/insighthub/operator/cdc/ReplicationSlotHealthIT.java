package io.insighthub.operator.cdc;

import static io.insighthub.crds.CrdConstants.CONDITION_REPLICATION_SLOT_HEALTHY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.DatabaseSpec;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.e2e.postgres.PostgresServer;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.runtime.InsightHubOperator;
import io.insighthub.operator.testing.ReconcileCounter;
import io.insighthub.operator.testing.Samples;
import io.javaoperatorsdk.operator.Operator;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ReplicationSlotHealthy against the test bed's real PostgreSQL (wal_level=logical): the operator
 * logs in with the CdcSource's Secret and measures the WAL its slot retains.
 */
@ExtendWith(KubeApiServerExtension.class)
class ReplicationSlotHealthIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String PASSWORD = "slot-health-password-7f3a";

  static PostgresServer postgres;
  static Operator operator;
  static KubernetesClient client;
  static String ns;

  @BeforeAll
  static void start(KubernetesClient kube, TestNamespace namespace) throws SQLException {
    client = kube;
    ns = namespace.name();
    postgres = PostgresServer.start(Path.of("target", "slot-health-postgres").toAbsolutePath());
    GenericKubernetesResource connect = new GenericKubernetesResource();
    connect.setApiVersion("kafka.strimzi.io/v1");
    connect.setKind("KafkaConnect");
    connect.setMetadata(new ObjectMetaBuilder().withName("insighthub-connect").build());
    connect.setAdditionalProperty(
        "spec", Map.of("bootstrapServers", "insighthub-kafka-bootstrap:9092"));
    client.resource(connect).inNamespace(ns).create();
    // The test bed's PostgreSQL trusts local logins; the password only travels, never shows.
    secret("billing-db-debezium", Map.of("username", "postgres", "password", PASSWORD));
    secret("snowflake-loader", Map.of("url", "jdbc:duckdb:"));
    operator =
        InsightHubOperator.create(
            client,
            OperatorConfig.defaults()
                .withKafkaCluster("insighthub")
                .withWatchNamespaces(Set.of(ns))
                .withSlotCheckInterval(Duration.ofSeconds(1)),
            new ReconcileCounter(),
            Clock.systemUTC());
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.stop();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void retainedWalOverTheThresholdTurnsTheConditionFalseAndConsumingClearsIt() throws Exception {
    try (Connection db = DriverManager.getConnection(postgres.jdbcUrl("postgres"));
        Statement sql = db.createStatement()) {
      sql.execute("SELECT pg_create_logical_replication_slot('health_slot', 'pgoutput')");
      create(source("health-db", "health_slot", postgres.port(), "4Mi"));

      Condition healthy = awaitCondition("health-db", "True", "RetainedWalBelowThreshold");
      assertThat(healthy.getMessage())
          .startsWith("Replication slot health_slot retains ")
          .endsWith(" of WAL, under spec.maxRetainedWal 4Mi");
      assertThat(status("health-db").slotLagBytes).isLessThan(4L << 20);

      // About 12 MiB of WAL that nobody consumes.
      sql.execute("CREATE TABLE filler (id int, payload text)");
      sql.execute(
          "INSERT INTO filler SELECT g, repeat(md5(g::text), 30) FROM generate_series(1, 10000) g");
      Condition over = awaitCondition("health-db", "False", "RetainedWalAboveThreshold");
      assertThat(over.getMessage()).contains("over spec.maxRetainedWal 4Mi");
      long lag = status("health-db").slotLagBytes;
      assertThat(lag).isGreaterThan(4L << 20);
      assertThat(status("health-db").slotLag).isEqualTo(SlotLag.format(lag));

      // The consumer catches up: the slot's position moves to the current WAL position.
      sql.execute("CHECKPOINT");
      sql.execute("SELECT pg_log_standby_snapshot()");
      sql.execute("SELECT pg_replication_slot_advance('health_slot', pg_current_wal_lsn())");
      awaitCondition("health-db", "True", "RetainedWalBelowThreshold");
      assertThat(status("health-db").slotLagBytes).isLessThan(4L << 20);
      assertNoCredentialIn("health-db");
    }
  }

  @Test
  void aMissingSlotAndAnUnreachableDatabaseHaveClearReasons() throws Exception {
    create(source("noslot-db", "never_created", postgres.port(), "10Gi"));
    Condition missing = awaitCondition("noslot-db", "False", "SlotNotFound");
    assertThat(missing.getMessage())
        .isEqualTo(
            "Replication slot never_created does not exist on 127.0.0.1:"
                + postgres.port()
                + " (database postgres); Debezium creates it when the connector first starts");

    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    create(source("down-db", "down_slot", closed, "10Gi"));
    Condition unreachable = awaitCondition("down-db", "Unknown", "DatabaseUnreachable");
    assertThat(unreachable.getMessage())
        .startsWith("Cannot connect to PostgreSQL at 127.0.0.1:" + closed + " (database postgres)");
    assertThat(status("down-db").slotLag).isNull();
    assertNoCredentialIn("noslot-db");
    assertNoCredentialIn("down-db");
  }

  static CdcSource source(String name, String slot, int port, String maxRetainedWal) {
    CdcSource source = Samples.cdcSource("billing-db");
    source.getMetadata().setName(name);
    source.getMetadata().setNamespace(ns);
    source.getSpec().slotName = slot;
    source.getSpec().publicationName = slot + "_pub";
    source.getSpec().database.host = "127.0.0.1";
    source.getSpec().database.port = port;
    source.getSpec().database.name = "postgres";
    source.getSpec().database.sslMode = DatabaseSpec.SslMode.DISABLE;
    source.getSpec().maxRetainedWal = maxRetainedWal;
    return source;
  }

  static void create(CdcSource source) {
    client.resource(source).inNamespace(ns).create();
  }

  static io.insighthub.crds.v1alpha1.CdcSourceStatus status(String name) {
    return client.resources(CdcSource.class).inNamespace(ns).withName(name).get().getStatus();
  }

  static Condition awaitCondition(String name, String status, String reason) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              var s = status(name);
              return s == null
                  ? null
                  : Conditions.find(s.conditions, CONDITION_REPLICATION_SLOT_HEALTHY).orElse(null);
            },
            c -> c != null && status.equals(c.getStatus()) && reason.equals(c.getReason()));
  }

  /** The password shows neither in the status nor in any Event. */
  static void assertNoCredentialIn(String name) {
    assertThat(Serialization.asJson(status(name))).doesNotContain(PASSWORD);
    assertThat(client.v1().events().inNamespace(ns).list().getItems())
        .allSatisfy(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
  }

  static void secret(String name, Map<String, String> data) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withStringData(data)
                .build())
        .create();
  }
}
