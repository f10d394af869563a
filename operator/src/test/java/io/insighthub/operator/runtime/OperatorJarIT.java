package io.insighthub.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.e2e.kube.KubeApiServer;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.operator.testing.Samples;
import io.insighthub.operator.testing.TestClusters;
import io.insighthub.operator.testing.TestPipelines;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The packaged operator as it runs in its container: {@code java -jar insighthub-operator.jar}
 * against the real API server, configured by environment only.
 */
@ExtendWith(KubeApiServerExtension.class)
class OperatorJarIT {
  static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void theJarReconcilesElectsALeaderServesMetricsLogsJsonAndStopsOnSigterm(
      KubeApiServer server, KubernetesClient client, TestNamespace ns) throws Exception {
    Path jar = Samples.repoRoot().resolve("operator/target/insighthub-operator.jar");
    assertThat(jar).exists();
    int port = freePort();
    Path log = Files.createTempFile("operator", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("KUBECONFIG", server.kubeconfig().toString());
    env.put("INSIGHTHUB_WATCH_NAMESPACES", ns.name());
    env.put("INSIGHTHUB_KAFKA_CLUSTER", "main");
    env.put("INSIGHTHUB_LEADER_ELECTION", "true");
    env.put("INSIGHTHUB_NAMESPACE", ns.name());
    env.put("POD_NAME", "operator-0");
    env.put("INSIGHTHUB_HTTP_PORT", Integer.toString(port));
    TestClusters.sinkSecret(client, ns.name());
    Process process = builder.start();
    try {
      await().atMost(WAIT).until(() -> status(port, "/readyz") == 200);
      assertThat(status(port, "/healthz")).isEqualTo(200);

      client.resource(TestPipelines.events("from-jar", ns.name())).create();
      await()
          .atMost(WAIT)
          .until(
              () -> {
                Pipeline p =
                    client
                        .resources(Pipeline.class)
                        .inNamespace(ns.name())
                        .withName("from-jar")
                        .get();
                return p.getStatus() != null && !p.getStatus().conditions.isEmpty();
              });
      Lease lease =
          client.leases().inNamespace(ns.name()).withName(InsightHubOperator.LEASE_NAME).get();
      assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("operator-0");
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(body(port, "/metrics"))
                      .contains("operator_sdk_reconciliations_executions")
                      .contains("jvm_memory_used_bytes"));
    } finally {
      process.destroy();
      boolean stopped = process.waitFor(30, TimeUnit.SECONDS);
      if (!stopped) {
        process.destroyForcibly();
      }
      assertThat(stopped).as("stops on SIGTERM").isTrue();
    }
    List<String> lines = Files.readAllLines(log);
    Files.delete(log);
    JsonMapper json = JsonMapper.builder().build();
    assertThat(lines).isNotEmpty();
    for (String line : lines) {
      assertThat(json.readTree(line).has("formattedMessage"))
          .as("a JSON log line: %s", line)
          .isTrue();
    }
    assertThat(lines).anyMatch(l -> l.contains("Stopping: finishing reconciles in flight"));
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static int status(int port, String path) {
    try {
      return HttpClient.newHttpClient()
          .send(request(port, path), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static String body(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(request(port, path), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static HttpRequest request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build();
  }
}
