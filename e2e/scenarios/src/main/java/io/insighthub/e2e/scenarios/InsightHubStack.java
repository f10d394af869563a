package io.insighthub.e2e.scenarios;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.adapter.KafkaConnectorAdapter;
import io.insighthub.e2e.adapter.KafkaTopicAdapter;
import io.insighthub.e2e.adapter.StrimziStatus;
import io.insighthub.e2e.connect.KafkaConnect;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kube.KubeApiServer;
import io.insighthub.e2e.node.LocalNode;
import io.insighthub.e2e.postgres.PostgresServer;
import io.insighthub.e2e.process.LocalProcesses;
import io.insighthub.e2e.s3.S3Server;
import io.strimzi.api.kafka.Crds;
import io.strimzi.api.kafka.model.connect.KafkaConnectBuilder;
import io.strimzi.api.kafka.model.connect.KafkaConnectStatusBuilder;
import io.strimzi.api.kafka.model.kafka.KafkaBuilder;
import io.strimzi.api.kafka.model.kafka.KafkaStatusBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The whole system on one machine, no Docker and no cluster: the test bed's control plane
 * (kube-apiserver, etcd, kube-controller-manager, kube-scheduler) with the CRDs, the real Kafka
 * broker, an S3 server (SeaweedFS) with the raw archive's bucket and the samples' buckets and files
 * for their batch sources ({@link SampleFiles}), optionally Kafka Connect with Debezium and
 * PostgreSQL holding the billing database, DuckDB warehouses, the operator (its real main, as a
 * process), the e2e adapters that realize KafkaTopics and KafkaConnectors, and the local node that
 * runs every Pod the controllers create (worker Deployments, CronJobs' Jobs, the drop-slot Job) as
 * local processes of the images' real mains ({@link ProjectImages}). The README's run command and
 * the end-to-end scenarios both use it. Every part logs to a file under the work directory, which
 * is emptied at start (the stack begins from nothing each time); a part that fails to start is
 * named with its log file.
 */
public final class InsightHubStack implements AutoCloseable {
  public static final String KAFKA_CLUSTER = "insighthub";
  public static final String NODE = "local-node";
  public static final String CONNECT_CLUSTER = "insighthub-connect";

  /** The Secret the samples' sinks name; here a DuckDB file instead of Snowflake. */
  public static final String EVENTS_WAREHOUSE_SECRET = "snowflake-loader";

  /**
   * The CdcSource's sink, a second DuckDB file: a DuckDB file has one writer process at a time, and
   * product events and CDC are loaded by different workers.
   */
  public static final String BILLING_WAREHOUSE_SECRET = "warehouse-billing";

  /** The bucket the product-events sample archives its raw topic to, and the Secret it names. */
  public static final String ARCHIVE_BUCKET = "insighthub-archive";

  public static final String ARCHIVE_SECRET = "s3-archive";

  private final Path repoRoot;
  private final Path workDir;
  private final String namespace;
  private final Consumer<String> progress;
  private final List<AutoCloseable> parts = new ArrayList<>();
  private KubeApiServer api;
  private KafkaBroker broker;
  private Admin admin;
  private PostgresServer postgres;
  private BillingDatabase billing;
  private KafkaConnect connect;
  private LocalNode node;
  private S3Server s3;
  private List<String> seededFiles = List.of();
  private int operatorPort;
  private final long started = System.nanoTime();

  private InsightHubStack(
      Path repoRoot, Path workDir, String namespace, Consumer<String> progress) {
    this.repoRoot = repoRoot;
    this.workDir = workDir;
    this.namespace = namespace;
    this.progress = progress;
  }

  /**
   * Brings the stack up. {@code withCdc} adds PostgreSQL (billing database seeded), Kafka Connect
   * with Debezium and the connector adapter; without it the stack runs the event pipelines only.
   */
  public static InsightHubStack start(
      Path repoRoot, Path workDir, String namespace, boolean withCdc, Consumer<String> progress) {
    InsightHubStack stack = new InsightHubStack(repoRoot, workDir, namespace, progress);
    try {
      stack.startParts(withCdc);
      return stack;
    } catch (RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void startParts(boolean withCdc) {
    try {
      // A fresh start: the broker is new, so offsets stored in an old warehouse would skip data.
      LocalProcesses.deleteRecursively(workDir);
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    api =
        part(
            "control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler)",
            workDir.resolve("kube-apiserver"),
            () -> KubeApiServer.start(repoRoot, workDir.resolve("kube-apiserver")));
    parts.add(api);
    step(
        "installing the InsightHub and Strimzi CRDs",
        () -> {
          api.installProjectCrds();
          api.installStrimziCrds();
          return null;
        });
    broker =
        part(
            "Kafka broker (KRaft)",
            workDir.resolve("kafka"),
            () -> KafkaBroker.start(workDir.resolve("kafka")));
    parts.add(broker);
    admin = broker.admin();
    parts.add(admin);
    step(
        "creating the compacted topic " + WorkerConfig.WATERMARK_TOPIC,
        () -> {
          admin
              .createTopics(
                  List.of(
                      new NewTopic(WorkerConfig.WATERMARK_TOPIC, 3, (short) 1)
                          .configs(Map.of("cleanup.policy", "compact"))))
              .all()
              .get();
          return null;
        });
    s3 =
        part(
            "S3 server (SeaweedFS)",
            workDir.resolve("s3").resolve("weed.log"),
            () -> S3Server.start(repoRoot, workDir.resolve("s3")));
    parts.add(s3);
    List<String> samples = samples();
    List<String> buckets = SampleFiles.buckets(repoRoot.resolve("samples"), samples);
    List<SampleFiles.BatchSource> sources =
        SampleFiles.batchSources(repoRoot.resolve("samples"), samples);
    step(
        "buckets "
            + ARCHIVE_BUCKET
            + ", "
            + String.join(", ", buckets)
            + " with the batch samples' files",
        () -> {
          s3.createBucket(ARCHIVE_BUCKET);
          buckets.forEach(s3::createBucket);
          try (S3Client client = s3.client()) {
            seededFiles =
                SampleFiles.seed(client, sources, workDir.resolve("s3").resolve("seed"), today());
          }
          return null;
        });
    KubernetesClient client = api.client();
    step(
        "namespace " + namespace + ", Strimzi Kafka " + KAFKA_CLUSTER + " and Secrets",
        () -> {
          client
              .resource(
                  new NamespaceBuilder()
                      .withNewMetadata()
                      .withName(namespace)
                      .endMetadata()
                      .build())
              .serverSideApply();
          kafkaCluster(client);
          secret(
              client, EVENTS_WAREHOUSE_SECRET, Map.of("url", "jdbc:duckdb:" + eventsWarehouse()));
          secret(
              client, BILLING_WAREHOUSE_SECRET, Map.of("url", "jdbc:duckdb:" + billingWarehouse()));
          byte[] key = new byte[32];
          new SecureRandom().nextBytes(key);
          secret(
              client, "pii-hmac-key", Map.of("hmac-key", Base64.getEncoder().encodeToString(key)));
          // The object-store credentials of the batch pipelines and of the archive, as the AWS
          // SDK reads them from the environment; the endpoint names the local S3 server.
          Map<String, String> s3Credentials =
              Map.of(
                  "AWS_ACCESS_KEY_ID",
                  s3.accessKeyId(),
                  "AWS_SECRET_ACCESS_KEY",
                  s3.secretAccessKey(),
                  "AWS_REGION",
                  S3Server.REGION,
                  "AWS_ENDPOINT_URL",
                  s3.endpoint().toString());
          secret(client, "s3-ingest", s3Credentials);
          secret(client, ARCHIVE_SECRET, s3Credentials);
          return null;
        });
    parts.add(
        step(
            "KafkaTopic adapter (stands in for Strimzi's topic operator)",
            () -> KafkaTopicAdapter.start(client, admin, namespace)));
    if (withCdc) {
      postgres =
          part(
              "PostgreSQL (wal_level=logical)",
              workDir.resolve("postgres"),
              () -> PostgresServer.start(workDir.resolve("postgres")));
      parts.add(postgres);
      billing = step("seeding the billing database", () -> BillingDatabase.create(postgres));
      parts.add(billing);
      secret(
          client,
          "billing-db-debezium",
          Map.of("username", BillingDatabase.USER, "password", BillingDatabase.PASSWORD));
      connect =
          part(
              "Kafka Connect with Debezium PostgreSQL",
              workDir.resolve("connect"),
              () ->
                  KafkaConnect.start(
                      workDir.resolve("connect"), broker.bootstrapServers(), CONNECT_CLUSTER));
      parts.add(connect);
      step(
          "Strimzi KafkaConnect " + CONNECT_CLUSTER,
          () -> {
            connectCluster(client);
            return null;
          });
      parts.add(
          step(
              "KafkaConnector adapter (stands in for Strimzi's connector operator)",
              () -> KafkaConnectorAdapter.start(client, connect, namespace)));
    }
    node =
        step(
            "local node " + NODE + " (runs the Pods bound to it as local processes)",
            () -> LocalNode.start(client, NODE, ProjectImages.local(), workDir.resolve("pods")));
    parts.add(node);
    operatorPort = LocalProcesses.freePort();
    Path operatorLog = workDir.resolve("operator.log");
    Process operator = part("InsightHub operator", operatorLog, () -> startOperator(operatorLog));
    parts.add(() -> LocalProcesses.stop(operator, Duration.ofSeconds(20)));
  }

  private Process startOperator(Path log) {
    List<String> command =
        LocalProcesses.javaCommand(
            List.of("-Xmx256m"), "io.insighthub.operator.runtime.OperatorMain", List.of());
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.put("KUBECONFIG", api.kubeconfig().toString());
    env.put("INSIGHTHUB_WATCH_NAMESPACES", namespace);
    env.put("INSIGHTHUB_KAFKA_CLUSTER", KAFKA_CLUSTER);
    env.put("INSIGHTHUB_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
    env.put("INSIGHTHUB_HTTP_PORT", String.valueOf(operatorPort));
    try {
      Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
      awaitHttp(process, "http://127.0.0.1:" + operatorPort + "/readyz", Duration.ofSeconds(90));
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitHttp(Process process, String url, Duration limit) {
    var http = java.net.http.HttpClient.newHttpClient();
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("exited with code " + process.exitValue());
      }
      try {
        var response =
            http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException(url + " not ready after " + limit.toSeconds() + " s");
  }

  private void kafkaCluster(KubernetesClient client) {
    var kafka =
        new KafkaBuilder()
            .withNewMetadata()
            .withName(KAFKA_CLUSTER)
            .withNamespace(namespace)
            .endMetadata()
            .withNewSpec()
            .withNewKafka()
            .endKafka()
            .endSpec()
            .build();
    kafka = Crds.kafkaOperation(client).resource(kafka).serverSideApply();
    kafka.setStatus(
        new KafkaStatusBuilder()
            .withObservedGeneration(kafka.getMetadata().getGeneration())
            .withConditions(StrimziStatus.ready("True", null, null))
            .build());
    Crds.kafkaOperation(client).resource(kafka).updateStatus();
  }

  private void connectCluster(KubernetesClient client) {
    var cluster =
        new KafkaConnectBuilder()
            .withNewMetadata()
            .withName(CONNECT_CLUSTER)
            .withNamespace(namespace)
            .withAnnotations(Map.of("strimzi.io/use-connector-resources", "true"))
            .endMetadata()
            .withNewSpec()
            .withBootstrapServers(broker.bootstrapServers())
            .withReplicas(1)
            .endSpec()
            .build();
    cluster = Crds.kafkaConnectOperation(client).resource(cluster).serverSideApply();
    cluster.setStatus(
        new KafkaConnectStatusBuilder()
            .withObservedGeneration(cluster.getMetadata().getGeneration())
            .withConditions(StrimziStatus.ready("True", null, null))
            .build());
    Crds.kafkaConnectOperation(client).resource(cluster).updateStatus();
  }

  private void secret(KubernetesClient client, String name, Map<String, String> data) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withStringData(data)
                .build())
        .serverSideApply();
  }

  /** The sample files (names under samples/), sorted. */
  private List<String> samples() {
    try (var files = Files.list(repoRoot.resolve("samples"))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(f -> f.endsWith(".yaml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static java.time.LocalDate today() {
    return java.time.LocalDate.now(java.time.ZoneOffset.UTC);
  }

  /**
   * Applies sample files (names under samples/) with the local overrides of {@link LocalOverlay},
   * through the real kubectl, as a user would.
   */
  public String applySamples(List<String> files) {
    Path manifests =
        LocalOverlay.write(
            repoRoot.resolve("samples"),
            files,
            workDir.resolve("manifests"),
            postgres == null ? null : postgres.host(),
            postgres == null ? 0 : postgres.port());
    return api.kubectl("apply", "-n", namespace, "-f", manifests.toString()).orThrow().stdout();
  }

  /**
   * Waits until the operator reports the Pipeline's topics ready (so producers never write to a
   * topic before it exists with its declared partitions).
   */
  public void awaitTopicsReady(String pipeline, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      var p =
          api.client()
              .resources(io.insighthub.crds.v1alpha1.Pipeline.class)
              .inNamespace(namespace)
              .withName(pipeline)
              .get();
      if (p != null
          && p.getStatus() != null
          && p.getStatus().conditions != null
          && p.getStatus().conditions.stream()
              .anyMatch(c -> c.getType().equals("TopicsReady") && c.getStatus().equals("True"))) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        "Pipeline " + pipeline + ": topics not ready after " + limit.toSeconds() + " s");
  }

  /** The CronJobs of the namespace, by name. */
  public List<String> cronJobs() {
    return api.client().batch().v1().cronjobs().inNamespace(namespace).list().getItems().stream()
        .map(c -> c.getMetadata().getName())
        .sorted()
        .toList();
  }

  /** Waits until the operator has rendered CronJobs and no more appear for a second. */
  public void awaitCronJobs(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    List<String> previous = List.of();
    while (System.nanoTime() < deadline) {
      List<String> now = cronJobs();
      if (!now.isEmpty() && now.equals(previous)) {
        return;
      }
      previous = now;
      Thread.sleep(1000);
    }
  }

  public KubeApiServer api() {
    return api;
  }

  public KafkaBroker broker() {
    return broker;
  }

  public S3Server s3() {
    return s3;
  }

  /** The {@code s3://} locations of the files seeded for the batch samples at start. */
  public List<String> seededFiles() {
    return seededFiles;
  }

  public LocalNode node() {
    return node;
  }

  /** The Pods of a Deployment not being deleted, oldest first. */
  public List<Pod> pods(String deployment) {
    var d = api.client().apps().deployments().inNamespace(namespace).withName(deployment).get();
    if (d == null) {
      return List.of();
    }
    return api
        .client()
        .pods()
        .inNamespace(namespace)
        .withLabels(d.getSpec().getSelector().getMatchLabels())
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()))
        .toList();
  }

  /** The host port of a running worker's {@code metrics} port, by its Deployment's name. */
  public Optional<Integer> metricsPort(String deployment) {
    return pods(deployment).stream()
        .map(p -> node.hostPort(namespace, p.getMetadata().getName(), "metrics"))
        .flatMap(Optional::stream)
        .findFirst();
  }

  /**
   * Sends a signal to the worker process of a Deployment's Pod (STOP hangs it, CONT lets it go on);
   * the container is named after the stage, the Pod's only one.
   */
  public void signalWorker(String deployment, String signal) {
    Pod pod =
        pods(deployment).stream()
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no Pod of " + deployment));
    node.signal(
        namespace,
        pod.getMetadata().getName(),
        pod.getSpec().getContainers().getFirst().getName(),
        signal);
  }

  public BillingDatabase billing() {
    return billing;
  }

  public String namespace() {
    return namespace;
  }

  public Path workDir() {
    return workDir;
  }

  public Path eventsWarehouse() {
    return workDir.resolve("warehouse").resolve("events.duckdb");
  }

  public Path billingWarehouse() {
    return workDir.resolve("warehouse").resolve("billing.duckdb");
  }

  public String operatorMetricsUrl() {
    return "http://127.0.0.1:" + operatorPort + "/metrics";
  }

  /** Seconds since start() began. */
  public long uptimeSeconds() {
    return Duration.ofNanos(System.nanoTime() - started).toSeconds();
  }

  private <T> T part(String name, Path log, Supplier<T> start) {
    try {
      return step(name, start::get);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          name + " failed to start: " + e.getMessage() + " (log: " + log + ")", e);
    }
  }

  private interface Step<T> {
    T run() throws Exception;
  }

  private <T> T step(String what, Step<T> step) {
    long t0 = System.nanoTime();
    progress.accept(what + " ...");
    try {
      T result = step.run();
      progress.accept(String.format("ready: %s (%.1f s)", what, (System.nanoTime() - t0) / 1e9));
      return result;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(what + ": " + e.getMessage(), e);
    }
  }

  /** Stops every part, newest first; nothing is left running. */
  @Override
  public void close() {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        progress.accept("while stopping: " + e);
      }
    }
    parts.clear();
  }
}
