package io.insighthub.e2e.kube;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsOrBool;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.strimzi.api.kafka.model.connect.KafkaConnect;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane for tests: etcd, kube-apiserver, kube-controller-manager (every
 * controller, the garbage collector, Deployment, ReplicaSet, Job and CronJob controllers included)
 * and kube-scheduler, started by {@code e2e/bin/k8s-up.sh} on free loopback ports (binaries built
 * and cached by {@code provision-k8s.sh}), or an existing cluster when {@code
 * INSIGHTHUB_TEST_KUBECONFIG} names one. It has no node: Pods stay Pending unless a test starts the
 * local node ({@code io.insighthub.e2e.node.LocalNode}) or writes their status itself. Installs the
 * project's CRDs and the Strimzi CRDs the operator renders.
 */
public final class KubeApiServer implements AutoCloseable {
  /** Names a kubeconfig of an existing cluster to test against instead of starting one. */
  public static final String EXISTING_CLUSTER_ENV = "INSIGHTHUB_TEST_KUBECONFIG";

  private static final Logger LOG = LoggerFactory.getLogger(KubeApiServer.class);
  private static final Duration START_LIMIT = Duration.ofMinutes(40);
  private static final Duration KUBECTL_LIMIT = Duration.ofMinutes(2);

  private final Path repoRoot;
  private final Path workDir;
  private final Path kubeconfig;
  private final Path binDir;
  private final boolean owned;
  private final KubernetesClient client;

  private KubeApiServer(Path repoRoot, Path workDir, Path kubeconfig, Path binDir, boolean owned) {
    this.repoRoot = repoRoot;
    this.workDir = workDir;
    this.kubeconfig = kubeconfig;
    this.binDir = binDir;
    this.owned = owned;
    this.client = new KubernetesClientBuilder().withConfig(config(kubeconfig)).build();
  }

  /** Starts a fresh API server under {@code workDir}, or attaches to the configured cluster. */
  public static KubeApiServer start(Path repoRoot, Path workDir) {
    Path binDir = provisionBinaries(repoRoot);
    String existing = System.getenv(EXISTING_CLUSTER_ENV);
    if (existing != null && !existing.isBlank()) {
      LOG.info("Using the existing cluster of {} ({} is set)", existing, EXISTING_CLUSTER_ENV);
      return new KubeApiServer(repoRoot, workDir, Path.of(existing), binDir, false);
    }
    long started = System.nanoTime();
    CommandResult up =
        Commands.run(
                List.of(script(repoRoot, "k8s-up.sh").toString(), workDir.toString()),
                repoRoot,
                Map.of("K8S_BIN", binDir.toString()),
                START_LIMIT)
            .orThrow();
    Path kubeconfig = Path.of(lastLine(up.stdout()));
    KubeApiServer server = new KubeApiServer(repoRoot, workDir, kubeconfig, binDir, true);
    LOG.info(
        "control plane {} ready at {} in {} ms (logs in {})",
        server.client.getKubernetesVersion().getGitVersion(),
        server.client.getMasterUrl(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        workDir);
    return server;
  }

  public KubernetesClient client() {
    return client;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path repoRoot() {
    return repoRoot;
  }

  /** Runs the real kubectl against this server. */
  public CommandResult kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binDir.resolve("kubectl").toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return Commands.run(command, repoRoot, Map.of(), KUBECTL_LIMIT);
  }

  /** Runs the real helm against this server. */
  public CommandResult helm(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binDir.resolve("helm").toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return Commands.run(
        command,
        repoRoot,
        Map.of("HELM_CACHE_HOME", workDir.resolve("helm").toString()),
        KUBECTL_LIMIT);
  }

  /** Installs the committed CRDs of the project (crds/generated) and waits until established. */
  public void installProjectCrds() {
    try (Stream<Path> files = Files.list(repoRoot.resolve("crds/generated"))) {
      List<CustomResourceDefinition> crds = new ArrayList<>();
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        crds.add(load(file));
      }
      apply(crds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Installs the Strimzi CRDs the operator writes or reads (Kafka, KafkaTopic, KafkaConnect,
   * KafkaConnector), generated from Strimzi's published model classes.
   */
  public void installStrimziCrds() {
    Path out = workDir.resolve("strimzi-crds");
    try {
      Files.createDirectories(out);
      new CRDGenerator()
          .customResourceClasses(
              Kafka.class, KafkaTopic.class, KafkaConnect.class, KafkaConnector.class)
          .forCRDVersions("v1")
          .inOutputDir(out.toFile())
          .generate();
      try (Stream<Path> files = Files.list(out)) {
        List<CustomResourceDefinition> crds = new ArrayList<>();
        for (Path file : files.sorted().toList()) {
          CustomResourceDefinition crd = load(file);
          crd.getSpec()
              .getVersions()
              .forEach(v -> freeFormMaps(v.getSchema().getOpenAPIV3Schema()));
          if (owned || !installed(crd)) {
            // On an existing cluster, a real Strimzi installation's CRDs are left alone.
            crds.add(crd);
          }
        }
        apply(crds);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Strimzi declares free-form maps such as {@code spec.config} as {@code Map<String, Object>};
   * Strimzi's own CRDs give them {@code x-kubernetes-preserve-unknown-fields}, while fabric8's
   * generator types their values as objects, which would reject {@code retention.ms: 3600000}.
   */
  private static void freeFormMaps(JSONSchemaProps schema) {
    if (schema == null) {
      return;
    }
    JSONSchemaPropsOrBool additional = schema.getAdditionalProperties();
    if (additional != null
        && additional.getSchema() != null
        && "object".equals(additional.getSchema().getType())
        && (additional.getSchema().getProperties() == null
            || additional.getSchema().getProperties().isEmpty())) {
      schema.setAdditionalProperties(null);
      schema.setXKubernetesPreserveUnknownFields(true);
    }
    if (schema.getProperties() != null) {
      schema.getProperties().values().forEach(KubeApiServer::freeFormMaps);
    }
    if (schema.getItems() != null) {
      freeFormMaps(schema.getItems().getSchema());
    }
  }

  private boolean installed(CustomResourceDefinition crd) {
    return client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(crd.getMetadata().getName())
            .get()
        != null;
  }

  private void apply(List<CustomResourceDefinition> crds) {
    for (CustomResourceDefinition crd : crds) {
      client.resource(crd).forceConflicts().serverSideApply();
    }
    for (CustomResourceDefinition crd : crds) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd.getMetadata().getName())
          .waitUntilCondition(KubeApiServer::established, 60, TimeUnit.SECONDS);
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private CustomResourceDefinition load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      HasMetadata loaded = client.getKubernetesSerialization().unmarshal(in);
      return (CustomResourceDefinition) loaded;
    }
  }

  @Override
  public void close() {
    client.close();
    if (owned) {
      CommandResult down =
          Commands.run(
              List.of(script(repoRoot, "k8s-down.sh").toString(), workDir.toString()),
              repoRoot,
              Map.of(),
              Duration.ofMinutes(1));
      if (!down.succeeded()) {
        LOG.warn("k8s-down.sh failed: {}", down.stderr());
      }
    }
  }

  private static Path provisionBinaries(Path repoRoot) {
    CommandResult provisioned =
        Commands.run(
                List.of(script(repoRoot, "provision-k8s.sh").toString()),
                repoRoot,
                Map.of(),
                START_LIMIT)
            .orThrow();
    return Path.of(lastLine(provisioned.stdout()));
  }

  private static Path script(Path repoRoot, String name) {
    return repoRoot.resolve("e2e/bin").resolve(name);
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  private static Config config(Path kubeconfig) {
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read kubeconfig " + kubeconfig, e);
    }
  }
}
