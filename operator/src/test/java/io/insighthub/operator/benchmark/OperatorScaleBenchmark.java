package io.insighthub.operator.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.e2e.kube.KubeApiServer;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.testing.Samples;
import io.insighthub.operator.testing.TestPipelines;
import io.strimzi.api.kafka.model.common.ConditionBuilder;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.topic.KafkaTopicStatusBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DESIGN.md section 10: the packaged operator (java -jar, -Xmx256m) with many Pipelines on the real
 * API server. Not part of ./build verify; run it with {@code ./build verify -pl operator
 * -Dit.test=OperatorScaleBenchmark -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbenchmark.pipelines=1000} and record the printed results in BENCHMARKS.md. Strimzi and the
 * kubelet are emulated by marking topics Ready and Deployments available as they appear.
 */
@ExtendWith(KubeApiServerExtension.class)
class OperatorScaleBenchmark {
  static final int PIPELINES = Integer.getInteger("benchmark.pipelines", 1000);

  @Test
  void manyPipelinesBecomeReadyAndAResyncWritesNothing(
      KubeApiServer server, KubernetesClient client, TestNamespace namespace) throws Exception {
    String ns = namespace.name();
    prerequisites(client, ns);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process operator = start(server, ns, port);
    try {
      await().atMost(Duration.ofMinutes(2)).until(() -> status(port) == 200);
      long started = System.nanoTime();
      try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
        IntStream.range(0, PIPELINES)
            .forEach(
                i ->
                    pool.submit(() -> client.resource(TestPipelines.events("p" + i, ns)).create()));
      }
      long created = System.nanoTime();
      await()
          .atMost(Duration.ofMinutes(15))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> emulateAndCountReady(client, ns) == PIPELINES);
      long ready = System.nanoTime();
      Map<String, String> before = resourceVersions(client, ns);
      String heapAfterReady = heap(port);

      // A resync: a new operator process lists everything and reconciles every Pipeline again.
      operator.destroy();
      operator.waitFor();
      operator = start(server, ns, port);
      Process restarted = operator;
      await().atMost(Duration.ofMinutes(2)).until(() -> status(port) == 200);
      await()
          .atMost(Duration.ofMinutes(10))
          .pollInterval(Duration.ofSeconds(2))
          .until(() -> reconciled(port) >= PIPELINES);
      Map<String, String> after = resourceVersions(client, ns);
      long changed =
          before.entrySet().stream()
              .filter(e -> !e.getValue().equals(after.get(e.getKey())))
              .count();

      System.out.printf(
          "BENCHMARK pipelines=%d create=%.1fs allReady=%.1fs (from first create)"
              + " objects=%d changedByResync=%d heapAfterReady=%s heapAfterResync=%s alive=%s%n",
          PIPELINES,
          (created - started) / 1e9,
          (ready - started) / 1e9,
          before.size(),
          changed,
          heapAfterReady,
          heap(port),
          restarted.isAlive());
      assertThat(changed).isZero();
    } finally {
      operator.destroy();
      if (!operator.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        operator.destroyForcibly();
      }
    }
  }

  static Process start(KubeApiServer server, String ns, int port) throws IOException {
    Path jar = Samples.repoRoot().resolve("operator/target/insighthub-operator.jar");
    Path log = Path.of("target", "benchmark-operator.log").toAbsolutePath();
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("KUBECONFIG", server.kubeconfig().toString());
    builder.environment().put("INSIGHTHUB_WATCH_NAMESPACES", ns);
    builder.environment().put("INSIGHTHUB_KAFKA_CLUSTER", "main");
    builder.environment().put("INSIGHTHUB_HTTP_PORT", Integer.toString(port));
    builder.environment().put("INSIGHTHUB_LOG_LEVEL", "WARN");
    Files.createDirectories(log.getParent());
    return builder.start();
  }

  /** Plays Strimzi and the kubelet for whatever appeared since the last call. */
  static long emulateAndCountReady(KubernetesClient client, String ns) {
    for (KafkaTopic topic : client.resources(KafkaTopic.class).inNamespace(ns).list().getItems()) {
      if (topic.getStatus() == null) {
        topic.setStatus(
            new KafkaTopicStatusBuilder()
                .withObservedGeneration(topic.getMetadata().getGeneration())
                .withConditions(new ConditionBuilder().withType("Ready").withStatus("True").build())
                .build());
        client.resource(topic).updateStatus();
      }
    }
    for (var deployment : client.apps().deployments().inNamespace(ns).list().getItems()) {
      if (deployment.getStatus() == null
          || deployment.getStatus().getObservedGeneration() == null) {
        int replicas = deployment.getSpec().getReplicas();
        deployment.setStatus(
            new DeploymentStatusBuilder()
                .withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withReadyReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .build());
        client.resource(deployment).updateStatus();
      }
    }
    return client.resources(Pipeline.class).inNamespace(ns).list().getItems().stream()
        .filter(
            p ->
                p.getStatus() != null
                    && Conditions.isTrue(p.getStatus().conditions, CrdConstants.CONDITION_READY))
        .count();
  }

  static Map<String, String> resourceVersions(KubernetesClient client, String ns) {
    Map<String, String> versions = new TreeMap<>();
    Stream.<List<? extends HasMetadata>>of(
            client.resources(Pipeline.class).inNamespace(ns).list().getItems(),
            client.resources(KafkaTopic.class).inNamespace(ns).list().getItems(),
            client.configMaps().inNamespace(ns).list().getItems(),
            client.apps().deployments().inNamespace(ns).list().getItems(),
            client.batch().v1().cronjobs().inNamespace(ns).list().getItems())
        .flatMap(List::stream)
        .forEach(
            r ->
                versions.put(
                    r.getKind() + "/" + r.getMetadata().getName(),
                    r.getMetadata().getResourceVersion()));
    return versions;
  }

  static void prerequisites(KubernetesClient client, String ns) {
    GenericKubernetesResource kafka = new GenericKubernetesResource();
    kafka.setApiVersion("kafka.strimzi.io/v1");
    kafka.setKind("Kafka");
    kafka.setMetadata(new ObjectMetaBuilder().withName("main").build());
    kafka.setAdditionalProperty(
        "spec",
        Map.of(
            "kafka",
            Map.of(
                "listeners",
                List.of(Map.of("name", "plain", "port", 9092, "type", "internal", "tls", false)))));
    client.resource(kafka).inNamespace(ns).create();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(TestPipelines.SINK_SECRET)
                .withNamespace(ns)
                .endMetadata()
                .withStringData(Map.of("url", "jdbc:duckdb:"))
                .build())
        .create();
  }

  static int status(int port) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static String metrics(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Reconciles of the pipeline controller finished since the process started. */
  static double reconciled(int port) throws Exception {
    return metrics(port)
        .lines()
        .filter(l -> l.startsWith("operator_sdk_reconciliations_success_total"))
        .filter(l -> l.contains("kind=\"Pipeline\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  static String heap(int port) throws Exception {
    double bytes =
        metrics(port)
            .lines()
            .filter(l -> l.startsWith("jvm_memory_used_bytes") && l.contains("area=\"heap\""))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .sum();
    return String.format("%.0fMiB", bytes / (1 << 20));
  }
}
