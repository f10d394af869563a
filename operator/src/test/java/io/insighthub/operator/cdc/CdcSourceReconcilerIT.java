package io.insighthub.operator.cdc;

import static io.insighthub.crds.CrdConstants.CONDITION_CONNECTOR_READY;
import static io.insighthub.crds.CrdConstants.CONDITION_READY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.runtime.InsightHubOperator;
import io.insighthub.operator.testing.Conflicts;
import io.insighthub.operator.testing.KubeletEmulation;
import io.insighthub.operator.testing.ReconcileCounter;
import io.insighthub.operator.testing.Samples;
import io.insighthub.operator.testing.StrimziEmulation;
import io.insighthub.operator.testing.Subset;
import io.javaoperatorsdk.operator.Operator;
import io.strimzi.api.kafka.model.common.ConnectorState;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The CdcSource reconciler in-process against a real API server, Strimzi emulated. */
@ExtendWith(KubeApiServerExtension.class)
class CdcSourceReconcilerIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final OperatorConfig CONFIG = OperatorConfig.defaults().withKafkaCluster("insighthub");

  static Operator operator;
  static KubernetesClient client;
  static String ns;
  static StrimziEmulation strimzi;
  static KubeletEmulation kubelet;

  @BeforeAll
  static void startOperator(KubernetesClient kube, TestNamespace namespace) {
    client = kube;
    ns = namespace.name();
    strimzi = new StrimziEmulation(client, ns);
    kubelet = new KubeletEmulation(client, ns);
    GenericKubernetesResource connect = new GenericKubernetesResource();
    connect.setApiVersion("kafka.strimzi.io/v1");
    connect.setKind("KafkaConnect");
    connect.setMetadata(new ObjectMetaBuilder().withName("insighthub-connect").build());
    connect.setAdditionalProperty(
        "spec", Map.of("bootstrapServers", "insighthub-kafka-bootstrap:9092"));
    client.resource(connect).inNamespace(ns).create();
    secret("billing-db-debezium", Map.of("username", "debezium", "password", "not-a-password"));
    secret("snowflake-loader", Map.of("url", "jdbc:duckdb:"));
    operator =
        InsightHubOperator.create(
            client,
            CONFIG.withWatchNamespaces(Set.of(ns)),
            new ReconcileCounter(),
            Clock.systemUTC());
    operator.start();
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.stop();
    }
  }

  @Test
  void theSampleRendersItsConnectorAndLoaderAndReportsTheirState() {
    client.resource(Samples.cdcSource("billing-db")).inNamespace(ns).create();
    CdcSource source = await().atMost(WAIT).until(() -> source("billing-db"), s -> s != null);
    await()
        .atMost(WAIT)
        .until(() -> connector("billing-db") != null && loader("billing-db") != null);

    List<HasMetadata> expected =
        CdcSourceChildrenGoldenTest.render(source).stream().map(r -> (HasMetadata) r).toList();
    Subset.assertContains(connector("billing-db"), expected.get(0));
    Subset.assertContains(loader("billing-db"), expected.get(2));
    assertThat(connector("billing-db").getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(source.getMetadata().getUid()));
    assertThat(connector("billing-db").getSpec().getConfig())
        .containsEntry("database.password", "${secrets:" + ns + "/billing-db-debezium:password}");
    awaitCondition("billing-db", CONDITION_CONNECTOR_READY, "False", "ConnectorPending");

    strimzi.connectorReady("billing-db", "RUNNING");
    Condition connectorReady =
        awaitCondition("billing-db", CONDITION_CONNECTOR_READY, "True", "ConnectorReady");
    assertThat(connectorReady.getMessage())
        .isEqualTo("KafkaConnector billing-db is ready (RUNNING)");
    awaitCondition("billing-db", CONDITION_READY, "False", "LoaderUnavailable");
    kubelet.available("billing-db-cdc-load", Integer.MAX_VALUE);
    awaitCondition("billing-db", CONDITION_READY, "True", "AllReady");
    assertThat(source("billing-db").getStatus().connectorState).isEqualTo("RUNNING");
    assertThat(source("billing-db").getStatus().topics)
        .contains(ns + ".billing-db.public.invoices");
  }

  @Test
  void suspendStopsTheConnectorAndScalesTheLoaderToZeroWithoutDeleting() {
    CdcSource source = Samples.cdcSource("billing-db");
    source.getMetadata().setName("paused-db");
    source.getSpec().slotName = "paused_slot";
    client.resource(source).inNamespace(ns).create();
    await().atMost(WAIT).until(() -> connector("paused-db") != null && loader("paused-db") != null);

    Conflicts.edit(
        client.resources(CdcSource.class).inNamespace(ns).withName("paused-db"),
        s -> s.getSpec().suspend = true);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(connector("paused-db").getSpec().getState())
                  .isEqualTo(ConnectorState.STOPPED);
              assertThat(loader("paused-db").getSpec().getReplicas()).isZero();
            });
    awaitCondition("paused-db", CONDITION_READY, "False", "Suspended");
  }

  @Test
  void missingDatabaseCredentialsAreReportedWithTheReferencingField() {
    CdcSource source = Samples.cdcSource("billing-db");
    source.getMetadata().setName("nocreds-db");
    source.getSpec().database.credentialsSecretRef.name = "nowhere";
    client.resource(source).inNamespace(ns).create();

    Condition ready = awaitCondition("nocreds-db", CONDITION_READY, "False", "SecretNotFound");
    assertThat(ready.getMessage())
        .isEqualTo(
            "Secret nowhere (spec.database.credentialsSecretRef) does not exist in namespace "
                + ns);
    assertThat(connector("nocreds-db")).isNull();
  }

  @Test
  void deletingTheSourceStopsCaptureDropsTheSlotThenReleasesIt() {
    CdcSource source = Samples.cdcSource("billing-db");
    source.getMetadata().setName("gone-db");
    source.getSpec().slotName = "gone_slot";
    client.resource(source).inNamespace(ns).create();
    await()
        .atMost(WAIT)
        .until(
            () ->
                connector("gone-db") != null
                    && source("gone-db")
                        .getMetadata()
                        .getFinalizers()
                        .contains(CdcSourceReconciler.FINALIZER));

    client.resources(CdcSource.class).inNamespace(ns).withName("gone-db").delete();

    Job job =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    client.batch().v1().jobs().inNamespace(ns).withName("gone-db-drop-slot").get(),
                j -> j != null);
    assertThat(connector("gone-db")).as("capture stopped before the slot is dropped").isNull();
    var container = job.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(container.getCommand())
        .containsExactly(
            "psql",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE slot_name = 'gone_slot'");
    assertThat(container.getEnv())
        .filteredOn(e -> e.getName().equals("PGPASSWORD"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getValue()).isNull();
              assertThat(e.getValueFrom().getSecretKeyRef().getName())
                  .isEqualTo("billing-db-debezium");
            });
    assertThat(source("gone-db")).as("held while the Job runs").isNotNull();

    kubelet.jobSucceeded("gone-db-drop-slot");

    await().atMost(WAIT).until(() -> source("gone-db") == null);
    // The garbage collector removes what the CdcSource owned, the drop-slot Job's Pod included.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(
                      client
                          .apps()
                          .deployments()
                          .inNamespace(ns)
                          .withName("gone-db-cdc-load")
                          .get())
                  .isNull();
              assertThat(client.configMaps().inNamespace(ns).withName("gone-db-cdc-load").get())
                  .isNull();
              assertThat(
                      client
                          .batch()
                          .v1()
                          .jobs()
                          .inNamespace(ns)
                          .withName("gone-db-drop-slot")
                          .get())
                  .isNull();
              assertThat(
                      client
                          .pods()
                          .inNamespace(ns)
                          .withLabel("job-name", "gone-db-drop-slot")
                          .list()
                          .getItems())
                  .isEmpty();
            });
    assertThat(client.v1().events().inNamespace(ns).list().getItems())
        .anyMatch(
            e ->
                "ReplicationSlotDropped".equals(e.getReason())
                    && e.getMessage()
                        .equals("Replication slot gone_slot dropped from database billing"));
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

  static CdcSource source(String name) {
    return client.resources(CdcSource.class).inNamespace(ns).withName(name).get();
  }

  static KafkaConnector connector(String name) {
    return client.resources(KafkaConnector.class).inNamespace(ns).withName(name).get();
  }

  static Deployment loader(String name) {
    return client.apps().deployments().inNamespace(ns).withName(name + "-cdc-load").get();
  }

  static Condition awaitCondition(String name, String type, String status, String reason) {
    return await()
        .atMost(WAIT)
        .until(
            () -> {
              CdcSource source = source(name);
              return source == null || source.getStatus() == null
                  ? null
                  : Conditions.find(source.getStatus().conditions, type).orElse(null);
            },
            c -> c != null && status.equals(c.getStatus()) && reason.equals(c.getReason()));
  }
}
