package io.insighthub.e2e.adapter;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.insighthub.e2e.process.LocalProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-bed stand-in for the Deployment controller and the kubelet: runs each replica of the
 * operator's worker Deployments as a local process and reports them in the Deployment's status, as
 * Kubernetes would. What a pod would see is reproduced on the local file system: ConfigMap and
 * Secret volumes become directories holding their keys, emptyDirs become empty directories, and
 * every mount path in the container's args, env and mounted text files is rewritten to its local
 * directory (the stand-in for mounting it there). The worker's {@code --metrics-port} is mapped to
 * a free loopback port, and the readiness probe is called on it. A process that exits is restarted
 * with a growing back-off, as with {@code restartPolicy: Always}. A changed pod template replaces
 * every replica; scaling to 0 stops them. Lives only under e2e/.
 */
public final class DeploymentRunner implements AutoCloseable {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String OPERATOR = "insighthub-operator";
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentRunner.class);
  private static final String METRICS_PORT_OPTION = "--metrics-port";
  private static final Duration TICK = Duration.ofMillis(500);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(20);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final KubernetesClient client;
  private final List<String> commandPrefix;
  private final Path workDir;
  private final SharedIndexInformer<Deployment> informer;
  private final ScheduledExecutorService loop;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final Map<String, Workload> workloads = new ConcurrentHashMap<>();

  /** One Deployment's replicas, started from one pod template. */
  private static final class Workload {
    final String template;
    final List<Replica> replicas = new ArrayList<>();

    Workload(String template) {
      this.template = template;
    }
  }

  /** One replica: the stand-in for a pod. */
  private static final class Replica {
    final String pod;
    final Path dir;
    Process process;
    int port;
    String readinessPath;
    boolean ready;
    int restarts;
    Instant restartAt;

    Replica(String pod, Path dir) {
      this.pod = pod;
      this.dir = dir;
    }
  }

  private DeploymentRunner(
      KubernetesClient client, String namespace, List<String> commandPrefix, Path workDir) {
    this.client = client;
    this.commandPrefix = List.copyOf(commandPrefix);
    this.workDir = workDir;
    var deployments = client.apps().deployments();
    this.informer =
        (namespace == null ? deployments.inAnyNamespace() : deployments.inNamespace(namespace))
            .withLabel(MANAGED_BY, OPERATOR)
            .inform();
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "deployment-runner");
              t.setDaemon(true);
              return t;
            });
    loop.scheduleWithFixedDelay(this::syncAll, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts running the operator's Deployments of {@code namespace} (all namespaces when null).
   *
   * @param commandPrefix the command a container's args are appended to, e.g. {@code java -jar
   *     insighthub-workers.jar} (the image's entry point)
   * @param workDir where each replica gets its directory, volumes and {@code log}
   */
  public static DeploymentRunner start(
      KubernetesClient client, String namespace, List<String> commandPrefix, Path workDir) {
    return new DeploymentRunner(client, namespace, commandPrefix, workDir);
  }

  /** The log file of replica {@code index} of a Deployment (it may not exist yet). */
  public Path log(String namespace, String deployment, int index) {
    return replicaDir(namespace, deployment, index).resolve("log");
  }

  /** The metrics port replica {@code index} of a Deployment listens on, if it is running. */
  public Optional<Integer> metricsPort(String namespace, String deployment, int index) {
    Workload w = workloads.get(namespace + "/" + deployment);
    synchronized (this) {
      return w == null || w.replicas.size() <= index
          ? Optional.empty()
          : Optional.of(w.replicas.get(index).port).filter(p -> p > 0);
    }
  }

  /**
   * Kills replica {@code index} of a Deployment (SIGKILL, as an OOM kill would); it is restarted
   * like any replica that exits.
   */
  public synchronized void kill(String namespace, String deployment, int index) {
    Workload w = workloads.get(namespace + "/" + deployment);
    if (w != null && w.replicas.size() > index && w.replicas.get(index).process != null) {
      w.replicas.get(index).process.destroyForcibly();
    }
  }

  /**
   * Freezes replica {@code index} of a Deployment (SIGSTOP): a hung worker, alive but doing
   * nothing, its readiness probe timing out. {@link #thaw} lets it go on.
   */
  public void freeze(String namespace, String deployment, int index) {
    signal(namespace, deployment, index, "STOP");
  }

  public void thaw(String namespace, String deployment, int index) {
    signal(namespace, deployment, index, "CONT");
  }

  private synchronized void signal(String namespace, String deployment, int index, String name) {
    Workload w = workloads.get(namespace + "/" + deployment);
    if (w == null || w.replicas.size() <= index || w.replicas.get(index).process == null) {
      throw new IllegalStateException(deployment + "-" + index + " is not running");
    }
    try {
      Process kill =
          new ProcessBuilder(
                  "kill", "-" + name, String.valueOf(w.replicas.get(index).process.pid()))
              .inheritIO()
              .start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " failed for " + deployment);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private synchronized void syncAll() {
    try {
      Map<String, Deployment> wanted = new HashMap<>();
      for (Deployment d : informer.getStore().list()) {
        wanted.put(d.getMetadata().getNamespace() + "/" + d.getMetadata().getName(), d);
      }
      for (var it = workloads.entrySet().iterator(); it.hasNext(); ) {
        var entry = it.next();
        if (!wanted.containsKey(entry.getKey())) {
          LOG.info("Deployment {} deleted: stopping its replicas", entry.getKey());
          entry.getValue().replicas.forEach(DeploymentRunner::stop);
          it.remove();
        }
      }
      wanted.forEach(this::sync);
    } catch (RuntimeException e) {
      LOG.warn("deployment runner pass failed; retried in {} ms", TICK.toMillis(), e);
    }
  }

  private void sync(String key, Deployment deployment) {
    String template = Serialization.asJson(deployment.getSpec().getTemplate());
    Workload workload = workloads.get(key);
    if (workload != null && !workload.template.equals(template)) {
      LOG.info("Deployment {}: pod template changed, replacing its replicas", key);
      workload.replicas.forEach(DeploymentRunner::stop);
      workload = null;
    }
    if (workload == null) {
      workload = new Workload(template);
      workloads.put(key, workload);
    }
    int desired = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
    while (workload.replicas.size() > desired) {
      stop(workload.replicas.remove(workload.replicas.size() - 1));
    }
    while (workload.replicas.size() < desired) {
      int index = workload.replicas.size();
      String ns = deployment.getMetadata().getNamespace();
      String name = deployment.getMetadata().getName();
      workload.replicas.add(new Replica(name + "-" + index, replicaDir(ns, name, index)));
    }
    for (Replica replica : workload.replicas) {
      tend(deployment, replica);
    }
    writeStatus(deployment, workload);
  }

  /** Starts, restarts and probes one replica. */
  private void tend(Deployment deployment, Replica replica) {
    if (replica.process != null && !replica.process.isAlive()) {
      int exit = replica.process.exitValue();
      Duration backoff =
          Duration.ofSeconds(
              Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(replica.restarts, 5)));
      LOG.warn(
          "{} exited with code {}; restarting in {} s (log: {}, kept as {})",
          replica.pod,
          exit,
          backoff.toSeconds(),
          replica.dir.resolve("log"),
          previousLog(replica));
      replica.process = null;
      replica.ready = false;
      replica.restarts++;
      replica.restartAt = Instant.now().plus(backoff);
    }
    if (replica.process == null
        && (replica.restartAt == null || Instant.now().isAfter(replica.restartAt))) {
      try {
        launch(deployment, replica);
      } catch (RuntimeException | IOException e) {
        LOG.warn("{} not started: {}", replica.pod, e.getMessage());
        replica.restarts++;
        replica.restartAt = Instant.now().plus(MAX_BACKOFF);
      }
    }
    if (replica.process != null) {
      replica.ready = replica.readinessPath == null || probe(replica);
    }
  }

  private static Path previousLog(Replica replica) {
    return replica.dir.resolveSibling(replica.dir.getFileName() + ".previous.log");
  }

  private void launch(Deployment deployment, Replica replica) throws IOException {
    var podSpec = deployment.getSpec().getTemplate().getSpec();
    if (podSpec.getContainers().size() != 1) {
      throw new IllegalArgumentException(
          "the runner supports pods with one container, "
              + deployment.getMetadata().getName()
              + " has "
              + podSpec.getContainers().size());
    }
    Container container = podSpec.getContainers().get(0);
    String namespace = deployment.getMetadata().getNamespace();
    // A restarted replica starts from a fresh directory, like a new pod; the last run's log is
    // kept beside it (what kubectl logs --previous shows).
    Path log = replica.dir.resolve("log");
    if (Files.exists(log)) {
      Files.move(log, previousLog(replica), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    LocalProcesses.deleteRecursively(replica.dir);
    Files.createDirectories(replica.dir);

    // Volumes first: the mount paths they map are rewritten in everything else, their text
    // files included, so every directory is known before any volume is written.
    Map<String, Path> mounts = new LinkedHashMap<>();
    Map<Volume, Path> volumes = new LinkedHashMap<>();
    for (VolumeMount mount : Optional.ofNullable(container.getVolumeMounts()).orElse(List.of())) {
      Volume volume =
          podSpec.getVolumes().stream()
              .filter(v -> v.getName().equals(mount.getName()))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalArgumentException("volume " + mount.getName() + " not in pod"));
      Path local = Files.createDirectories(replica.dir.resolve("volumes").resolve(mount.getName()));
      mounts.put(mount.getMountPath(), local);
      volumes.put(volume, local);
    }
    PathRewriter rewriter = new PathRewriter(mounts);
    for (var volume : volumes.entrySet()) {
      materialize(namespace, volume.getKey(), volume.getValue(), rewriter);
    }

    replica.port = LocalProcesses.freePort();
    List<String> args = new ArrayList<>();
    List<String> declared = Optional.ofNullable(container.getArgs()).orElse(List.of());
    for (int i = 0; i < declared.size(); i++) {
      args.add(rewriter.rewrite(declared.get(i)));
      if (METRICS_PORT_OPTION.equals(declared.get(i)) && i + 1 < declared.size()) {
        args.add(String.valueOf(replica.port));
        i++;
      }
    }
    if (!declared.contains(METRICS_PORT_OPTION)) {
      args.add(METRICS_PORT_OPTION);
      args.add(String.valueOf(replica.port));
    }
    var probe = container.getReadinessProbe();
    replica.readinessPath =
        probe != null && probe.getHttpGet() != null ? probe.getHttpGet().getPath() : null;

    List<String> command = new ArrayList<>(commandPrefix);
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(replica.dir.toFile());
    Map<String, String> env = builder.environment();
    String path = env.get("PATH");
    env.clear();
    env.put("PATH", path);
    env.put("HOSTNAME", replica.pod);
    // The JVM's own option variable passes through, so a benchmark can profile every worker too.
    String jvmOptions = System.getenv("JDK_JAVA_OPTIONS");
    if (jvmOptions != null) {
      env.put("JDK_JAVA_OPTIONS", jvmOptions);
    }
    env.putAll(environment(namespace, container, rewriter));
    builder
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    replica.process = builder.start();
    replica.ready = false;
    LOG.info(
        "started {} (pid {}, metrics port {}, log {})",
        replica.pod,
        replica.process.pid(),
        replica.port,
        log);
  }

  private void materialize(String namespace, Volume volume, Path dir, PathRewriter rewriter)
      throws IOException {
    if (volume.getConfigMap() != null) {
      ConfigMap cm =
          client
              .configMaps()
              .inNamespace(namespace)
              .withName(volume.getConfigMap().getName())
              .get();
      if (cm == null) {
        throw new IllegalStateException(
            "ConfigMap " + volume.getConfigMap().getName() + " not found (pod would not start)");
      }
      Map<String, String> data = Optional.ofNullable(cm.getData()).orElse(Map.of());
      write(dir, data, volume.getConfigMap().getItems(), rewriter);
    } else if (volume.getSecret() != null) {
      Secret secret =
          client
              .secrets()
              .inNamespace(namespace)
              .withName(volume.getSecret().getSecretName())
              .get();
      if (secret == null) {
        throw new IllegalStateException(
            "Secret " + volume.getSecret().getSecretName() + " not found (pod would not start)");
      }
      write(dir, StrimziStatus.decoded(secret), volume.getSecret().getItems(), null);
    } else if (volume.getEmptyDir() == null) {
      throw new IllegalArgumentException(
          "volume " + volume.getName() + ": only configMap, secret and emptyDir are supported");
    }
  }

  /** Writes keys as files, renamed by {@code items} when given; text rewritten if asked. */
  private static void write(
      Path dir, Map<String, String> data, List<KeyToPath> items, PathRewriter rewriter)
      throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    if (items == null || items.isEmpty()) {
      files.putAll(data);
    } else {
      for (KeyToPath item : items) {
        if (!data.containsKey(item.getKey())) {
          throw new IllegalStateException("key " + item.getKey() + " missing from volume source");
        }
        files.put(item.getPath(), data.get(item.getKey()));
      }
    }
    for (var file : files.entrySet()) {
      Path target = dir.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      String content = rewriter == null ? file.getValue() : rewriter.rewrite(file.getValue());
      Files.writeString(target, content, StandardCharsets.UTF_8);
    }
  }

  private Map<String, String> environment(
      String namespace, Container container, PathRewriter rewriter) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource from : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
      if (from.getSecretRef() != null) {
        env.putAll(StrimziStatus.decoded(secret(namespace, from.getSecretRef().getName())));
      } else if (from.getConfigMapRef() != null) {
        ConfigMap cm =
            client
                .configMaps()
                .inNamespace(namespace)
                .withName(from.getConfigMapRef().getName())
                .get();
        if (cm == null) {
          throw new IllegalStateException(
              "ConfigMap " + from.getConfigMapRef().getName() + " not found");
        }
        env.putAll(Optional.ofNullable(cm.getData()).orElse(Map.of()));
      }
    }
    for (EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
      if (var.getValue() != null) {
        env.put(var.getName(), rewriter.rewrite(var.getValue()));
      } else if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
        var ref = var.getValueFrom().getSecretKeyRef();
        String value = StrimziStatus.decoded(secret(namespace, ref.getName())).get(ref.getKey());
        if (value == null) {
          throw new IllegalStateException(
              "Secret " + ref.getName() + " has no key " + ref.getKey());
        }
        env.put(var.getName(), value);
      }
    }
    return env;
  }

  private Secret secret(String namespace, String name) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      throw new IllegalStateException("Secret " + name + " not found (pod would not start)");
    }
    return secret;
  }

  private boolean probe(Replica replica) {
    try {
      var response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + replica.port + replica.readinessPath))
                  .timeout(Duration.ofSeconds(1))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() >= 200 && response.statusCode() < 400;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void writeStatus(Deployment deployment, Workload workload) {
    int running = (int) workload.replicas.stream().filter(r -> r.process != null).count();
    int ready = (int) workload.replicas.stream().filter(r -> r.process != null && r.ready).count();
    int desired = workload.replicas.size();
    DeploymentStatus status = new DeploymentStatus();
    status.setObservedGeneration(deployment.getMetadata().getGeneration());
    status.setReplicas(running);
    status.setUpdatedReplicas(running);
    status.setReadyReplicas(ready);
    status.setAvailableReplicas(ready);
    status.setUnavailableReplicas(desired - ready);
    DeploymentCondition available = new DeploymentCondition();
    available.setType("Available");
    available.setStatus(ready >= desired ? "True" : "False");
    available.setReason(
        ready >= desired ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable");
    available.setMessage(ready + "/" + desired + " replicas ready (local processes)");
    DeploymentStatus current = deployment.getStatus();
    if (current != null
        && Objects.equals(current.getObservedGeneration(), status.getObservedGeneration())
        && count(current.getReplicas()) == running
        && count(current.getReadyReplicas()) == ready
        && count(current.getAvailableReplicas()) == ready) {
      return;
    }
    String now = Instant.now().toString();
    available.setLastTransitionTime(now);
    available.setLastUpdateTime(now);
    status.setConditions(List.of(available));
    Deployment copy = Serialization.clone(deployment);
    copy.setStatus(status);
    try {
      client.apps().deployments().resource(copy).updateStatus();
    } catch (KubernetesClientException e) {
      LOG.debug(
          "status of {} not written ({}), retried",
          deployment.getMetadata().getName(),
          e.getCode());
    }
  }

  /** The API server omits zero counts. */
  private static int count(Integer value) {
    return value == null ? 0 : value;
  }

  private Path replicaDir(String namespace, String deployment, int index) {
    return workDir.resolve(namespace).resolve(deployment).resolve("replica-" + index);
  }

  private static void stop(Replica replica) {
    if (replica.process != null) {
      LOG.info("stopping {}", replica.pod);
      LocalProcesses.stop(replica.process, STOP_GRACE);
      replica.process = null;
    }
  }

  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(STOP_GRACE.toSeconds() + 5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    informer.close();
    synchronized (this) {
      workloads.values().forEach(w -> w.replicas.forEach(DeploymentRunner::stop));
      workloads.clear();
    }
  }

  /** Rewrites container mount paths to the local directories standing in for them. */
  static final class PathRewriter {
    private final Pattern pattern;
    private final Map<String, Path> mounts;

    PathRewriter(Map<String, Path> mounts) {
      this.mounts = mounts;
      // Longest first, so /var/run/secrets/x wins over /var/run; a match ends at a path boundary.
      String alternatives =
          mounts.keySet().stream()
              .sorted(Comparator.comparingInt(String::length).reversed())
              .map(Pattern::quote)
              .reduce((a, b) -> a + "|" + b)
              .orElse(null);
      this.pattern =
          alternatives == null ? null : Pattern.compile("(" + alternatives + ")(?=/|\"|'|\\s|$)");
    }

    String rewrite(String text) {
      if (pattern == null || text == null) {
        return text;
      }
      Matcher m = pattern.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(out, Matcher.quoteReplacement(mounts.get(m.group(1)).toString()));
      }
      m.appendTail(out);
      return out.toString();
    }
  }
}
