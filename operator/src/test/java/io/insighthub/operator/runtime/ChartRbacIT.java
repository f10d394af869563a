package io.insighthub.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.e2e.kube.KubeApiServer;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.testing.KubeletEmulation;
import io.insighthub.operator.testing.ReconcileCounter;
import io.insighthub.operator.testing.Samples;
import io.insighthub.operator.testing.StrimziEmulation;
import io.javaoperatorsdk.operator.Operator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart's RBAC is what the operator needs, and no more: the operator runs as the chart's
 * ServiceAccount (impersonated) and reconciles the samples, while kubectl auth can-i confirms what
 * that account must not do.
 */
@ExtendWith(KubeApiServerExtension.class)
class ChartRbacIT {
  static final String RELEASE = "insighthub";
  static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void theOperatorRunsOnTheChartsRbacAndCanDoNothingElse(
      KubeApiServer server, KubernetesClient admin, TestNamespace namespace) {
    String ns = namespace.name();
    String rendered =
        server
            .helm(
                "template",
                RELEASE,
                "charts/insighthub-operator",
                "--namespace",
                ns,
                "--set",
                "watchNamespaces={" + ns + "}",
                "--show-only",
                "templates/serviceaccount.yaml",
                "--show-only",
                "templates/rbac.yaml")
            .orThrow()
            .stdout();
    admin
        .load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)))
        .inNamespace(ns)
        .serverSideApply();
    prerequisites(admin, ns);

    String account = "system:serviceaccount:" + ns + ":" + RELEASE;
    try (KubernetesClient asOperator =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(admin.getConfiguration())
                    .withImpersonateUsername(account)
                    .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + ns)
                    .build())
            .build()) {
      OperatorConfig config =
          OperatorConfig.fromEnv(
                  Map.of(
                      "INSIGHTHUB_LEADER_ELECTION", "true",
                      "INSIGHTHUB_NAMESPACE", ns,
                      "POD_NAME", "rbac-test"))
              .withKafkaCluster("insighthub")
              .withWatchNamespaces(Set.of(ns));
      Operator operator =
          InsightHubOperator.create(asOperator, config, new ReconcileCounter(), Clock.systemUTC());
      operator.start();
      try {
        reconcilesTheSamples(admin, ns);
        // The Lease is renewed (a PATCH) every few seconds; a renewal the RBAC forbids would end
        // the leadership.
        await()
            .atMost(WAIT)
            .until(
                () -> admin.leases().inNamespace(ns).withName(InsightHubOperator.LEASE_NAME).get(),
                lease ->
                    lease.getSpec().getLeaseTransitions() != null
                        && lease.getSpec().getRenewTime() != null
                        && lease
                            .getSpec()
                            .getRenewTime()
                            .isAfter(lease.getSpec().getAcquireTime()));
      } finally {
        operator.stop();
      }
    }

    for (String allowed :
        List.of(
            "patch pipelines.data.insighthub.io --subresource=status",
            "create kafkatopics.kafka.strimzi.io")) {
      assertThat(canI(server, account, ns, allowed)).as(allowed).isTrue();
    }
    for (String denied :
        List.of(
            "list secrets",
            "create secrets",
            "update pipelines.data.insighthub.io",
            "delete pipelines.data.insighthub.io",
            "create pods",
            "create roles.rbac.authorization.k8s.io",
            "delete kafkas.kafka.strimzi.io")) {
      assertThat(canI(server, account, ns, denied)).as(denied).isFalse();
    }
    assertThat(canI(server, account, "default", "get configmaps"))
        .as("nothing outside the watched namespace")
        .isFalse();
  }

  static void reconcilesTheSamples(KubernetesClient admin, String ns) {
    for (GenericKubernetesResource sample : Samples.all()) {
      if (List.of("Pipeline", "CdcSource", "QualityRule").contains(sample.getKind())) {
        admin.resource(sample).inNamespace(ns).create();
      }
    }
    var strimzi = new StrimziEmulation(admin, ns);
    var kubelet = new KubeletEmulation(admin, ns);
    // Four layers plus the sessions and account-usage transforms' outputs.
    await().atMost(WAIT).until(() -> strimzi.topics("product-events").size() == 6);
    strimzi.topicsReady("product-events");
    // validate, aggregate, load and archive.
    await().atMost(WAIT).until(() -> kubelet.deployments("product-events").size() == 4);
    kubelet.workersAvailable("product-events");
    await().atMost(WAIT).until(() -> ready(admin, Pipeline.class, ns, "product-events"));

    await()
        .atMost(WAIT)
        .until(
            () ->
                admin
                        .resources(io.strimzi.api.kafka.model.connector.KafkaConnector.class)
                        .inNamespace(ns)
                        .withName("billing-db")
                        .get()
                    != null);
    strimzi.connectorReady("billing-db", "RUNNING");
    kubelet.available("billing-db-cdc-load", Integer.MAX_VALUE);
    await().atMost(WAIT).until(() -> ready(admin, CdcSource.class, ns, "billing-db"));
    assertThat(admin.v1().events().inNamespace(ns).list().getItems())
        .anyMatch(e -> "Created".equals(e.getReason()));
    assertThat(
            admin
                .leases()
                .inNamespace(ns)
                .withName(InsightHubOperator.LEASE_NAME)
                .get()
                .getSpec()
                .getHolderIdentity())
        .isEqualTo("rbac-test");
  }

  static <T extends io.fabric8.kubernetes.client.CustomResource<?, ?>> boolean ready(
      KubernetesClient client, Class<T> type, String ns, String name) {
    T resource = client.resources(type).inNamespace(ns).withName(name).get();
    if (resource == null || resource.getStatus() == null) {
      return false;
    }
    List<Condition> conditions =
        resource.getStatus() instanceof io.insighthub.crds.v1alpha1.ResourceStatus s
            ? s.conditions
            : List.of();
    return Conditions.isTrue(conditions, CrdConstants.CONDITION_READY);
  }

  static void prerequisites(KubernetesClient admin, String ns) {
    for (var entry :
        Map.of(
                "Kafka",
                Map.<String, Object>of(
                    "kafka",
                    Map.of(
                        "listeners",
                        List.of(
                            Map.of(
                                "name", "plain", "port", 9092, "type", "internal", "tls", false)))),
                "KafkaConnect",
                Map.<String, Object>of("bootstrapServers", "insighthub-kafka-bootstrap:9092"))
            .entrySet()) {
      GenericKubernetesResource cluster = new GenericKubernetesResource();
      cluster.setApiVersion("kafka.strimzi.io/v1");
      cluster.setKind(entry.getKey());
      cluster.setMetadata(
          new ObjectMetaBuilder()
              .withName(entry.getKey().equals("Kafka") ? "insighthub" : "insighthub-connect")
              .build());
      cluster.setAdditionalProperty("spec", entry.getValue());
      admin.resource(cluster).inNamespace(ns).create();
    }
    Map<String, Map<String, String>> secrets =
        Map.of(
            "snowflake-loader", Map.of("url", "jdbc:duckdb:"),
            "pii-hmac-key", Map.of("hmac-key", "k"),
            "s3-ingest", Map.of("AWS_ACCESS_KEY_ID", "x"),
            "s3-archive", Map.of("AWS_ACCESS_KEY_ID", "x"),
            "billing-db-debezium", Map.of("username", "u", "password", "p"));
    secrets.forEach(
        (name, data) ->
            admin
                .resource(
                    new SecretBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(ns)
                        .endMetadata()
                        .withStringData(data)
                        .build())
                .create());
  }

  static boolean canI(KubeApiServer server, String account, String ns, String verbAndResource) {
    List<String> args = new java.util.ArrayList<>(List.of("auth", "can-i"));
    args.addAll(List.of(verbAndResource.split(" ")));
    args.addAll(List.of("--as", account, "-n", ns));
    return server.kubectl(args.toArray(String[]::new)).stdout().strip().equals("yes");
  }
}
