package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.insighthub.e2e.node.LocalImage.NotRunnable;
import io.insighthub.e2e.process.LocalProcesses;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Pod bound to the local node, as a kubelet's pod worker does: admits it (every image
 * known, every volume type supported), prepares its volumes, runs its init containers in order and
 * then its containers as local processes, probes them, restarts them by {@code restartPolicy} with
 * back-off, enforces {@code activeDeadlineSeconds} and emptyDir size limits, and on deletion stops
 * them (SIGTERM, SIGKILL after the grace period), reports their final state and confirms the
 * deletion. {@link #sync} is called on every change of the Pod and every second; it never blocks on
 * a process.
 */
final class PodRunner {
  private static final Logger LOG = LoggerFactory.getLogger(PodRunner.class);
  private static final Duration USAGE_CHECK = Duration.ofSeconds(5);
  private static final Duration VOLUME_REFRESH = Duration.ofMinutes(1);
  private static final Duration CLOSE_GRACE_LIMIT = Duration.ofSeconds(15);

  private final NodeContext node;
  private final Path dir;
  private final List<ContainerRun> init = new ArrayList<>();
  private final List<ContainerRun> main = new ArrayList<>();
  private final PodStatuses statuses;
  private Pod pod;
  private Instant startTime;
  private boolean admitted;
  private PodVolumes volumes;
  private DownwardApi downward;
  private String volumesProblem;
  private Instant nextUsageCheck = Instant.EPOCH;
  private Instant nextRefresh = Instant.EPOCH;
  private int initDone;

  /** Set when the node failed the Pod (not runnable, evicted, deadline): phase Failed. */
  private String failedReason;

  private String failedMessage;

  /** The Pod cannot run here and waits (restartPolicy Always): nothing is started. */
  private boolean blocked;

  private boolean stopping;
  private boolean removed;
  private boolean finished;

  PodRunner(NodeContext node, Pod pod) {
    this.node = node;
    this.pod = pod;
    this.dir =
        node.podsDir()
            .resolve(pod.getMetadata().getNamespace())
            .resolve(pod.getMetadata().getName());
    Optional.ofNullable(pod.getSpec().getInitContainers())
        .orElse(List.of())
        .forEach(c -> init.add(new ContainerRun(c, true)));
    pod.getSpec().getContainers().forEach(c -> main.add(new ContainerRun(c, false)));
    this.statuses = new PodStatuses(node.client(), this);
  }

  // ---- what the node and its callers ask ----

  synchronized void update(Pod latest) {
    this.pod = latest;
  }

  synchronized Pod pod() {
    return pod;
  }

  /** The Pod object is gone from the API server (deleted, or force-deleted). */
  synchronized void removed() {
    removed = true;
  }

  synchronized boolean removedFromApi() {
    return removed;
  }

  /** Nothing runs and nothing is left to report: the node can forget this Pod. */
  synchronized boolean finished() {
    return finished;
  }

  Path dir() {
    return dir;
  }

  Path log(String container) {
    return dir.resolve(container + ".log");
  }

  synchronized Optional<ContainerRun> container(String name) {
    return main.stream().filter(c -> c.spec.getName().equals(name)).findFirst();
  }

  /** The host port standing in for a container port, by the port's name or number. */
  synchronized Optional<Integer> hostPort(String port) {
    for (ContainerRun c : main) {
      Integer mapped = mappedPort(c, port);
      if (mapped != null && c.running()) {
        return Optional.of(mapped);
      }
    }
    return Optional.empty();
  }

  /** Stops every process at once (the node is closing); returns whether all have exited. */
  synchronized boolean closeNow() {
    for (ContainerRun c : all()) {
      if (c.running()) {
        c.process.terminate(min(gracePeriod(), CLOSE_GRACE_LIMIT));
        c.process.tick();
      }
    }
    return all().stream().noneMatch(ContainerRun::running);
  }

  // ---- what the status reports ----

  synchronized List<ContainerRun> initContainers() {
    return List.copyOf(init);
  }

  synchronized List<ContainerRun> containers() {
    return List.copyOf(main);
  }

  Instant startTime() {
    return startTime;
  }

  boolean volumesReady() {
    return volumes != null && volumesProblem == null;
  }

  boolean initialized() {
    return initDone >= init.size();
  }

  String failedReason() {
    return failedReason;
  }

  String failedMessage() {
    return failedMessage;
  }

  /** Stopping because the Pod is being deleted: its final phase is terminal whatever the policy. */
  boolean deleting() {
    return stopping && (removed || pod.getMetadata().getDeletionTimestamp() != null);
  }

  /** A Pod first seen already finished, whose status this node leaves as it is. */
  boolean untouched() {
    return !admitted;
  }

  // ---- the pod worker ----

  synchronized void sync() {
    if (finished) {
      return;
    }
    try {
      syncOnce();
    } catch (RuntimeException e) {
      LOG.warn("pod {}: sync failed, retried: {}", key(), e.toString(), e);
    }
  }

  private void syncOnce() {
    Instant now = Instant.now();
    boolean deletionRequested = removed || pod.getMetadata().getDeletionTimestamp() != null;
    if (!admitted && !deletionRequested && !alreadyTerminal()) {
      admit(now);
    }
    all()
        .forEach(
            c -> {
              if (c.process != null) {
                c.process.tick();
              }
            });
    if (deletionRequested || failedReason != null) {
      stopAll(
          deletionRequested
              ? deletionGrace()
              : "Evicted".equals(failedReason) ? Duration.ZERO : gracePeriod());
      reapStopped();
      if (all().stream().anyMatch(ContainerRun::running)) {
        statuses.write();
        return;
      }
      if (removed) {
        cleanUp();
        finished = true;
        return;
      }
      if (!statuses.write()) {
        return;
      }
      if (deletionRequested) {
        confirmDeletion();
      }
      return;
    }
    if (alreadyTerminal()) {
      return;
    }
    if (!prepareVolumes(now)) {
      statuses.write();
      return;
    }
    checkDeadlineAndDisk(now);
    if (failedReason != null) {
      syncOnce();
      return;
    }
    if (initDone < init.size()) {
      runInit(now);
    }
    if (initDone >= init.size() && failedReason == null) {
      for (ContainerRun c : main) {
        supervise(c, now);
      }
    }
    statuses.write();
  }

  /** A Pod first seen finished (before this node started) has nothing to run. */
  private boolean alreadyTerminal() {
    return !admitted
        && pod.getStatus() != null
        && PodStatuses.TERMINAL.contains(
            Objects.requireNonNullElse(pod.getStatus().getPhase(), ""));
  }

  private void admit(Instant now) {
    admitted = true;
    startTime = now;
    List<String> problems = new ArrayList<>();
    for (ContainerRun c : all()) {
      Optional<LocalImage> image = node.images().find(c.spec.getImage());
      if (image.isEmpty()) {
        problems.add(
            "container "
                + c.spec.getName()
                + ": image "
                + c.spec.getImage()
                + " is not one the local node runs ("
                + node.images().known()
                + ")");
        c.state = ContainerRun.waiting("ErrImagePull", problems.getLast());
        continue;
      }
      c.image = image.get();
      if (c.init && "Always".equals(c.spec.getRestartPolicy())) {
        problems.add(
            "init container "
                + c.spec.getName()
                + ": sidecar containers are not supported by the local node");
      }
    }
    try {
      PodVolumes.check(pod);
    } catch (NotRunnable e) {
      problems.add(e.getMessage());
    }
    if (problems.isEmpty()) {
      return;
    }
    String message = String.join("; ", problems);
    if ("Always".equals(restartPolicy())) {
      // A failed Pod of a ReplicaSet is replaced at once, and the replacement fails too: the
      // Pod waits instead, as with an image a kubelet cannot pull.
      for (ContainerRun c : all()) {
        if (c.image != null) {
          c.state = ContainerRun.waiting("CreateContainerError", message);
        }
      }
      node.events().warning(pod, null, "Failed", message);
      blocked = true;
      return;
    }
    fail("UnknownImage", message);
  }

  private void fail(String reason, String message) {
    if (failedReason == null) {
      failedReason = reason;
      failedMessage = message;
      LOG.info("pod {} failed: {}: {}", key(), reason, message);
      node.events().warning(pod, null, reason, message);
    }
  }

  private boolean prepareVolumes(Instant now) {
    if (blocked) {
      return false;
    }
    try {
      if (volumes == null) {
        Files.createDirectories(dir);
        downward = new DownwardApi(pod, node.capacity());
        volumes = new PodVolumes(node.client(), pod, dir, downward);
        volumes.createDirectories();
        volumes.write(configRewriter());
        nextRefresh = now.plus(VOLUME_REFRESH);
      } else if (volumesProblem != null || now.isAfter(nextRefresh)) {
        volumes.write(configRewriter());
        nextRefresh = now.plus(VOLUME_REFRESH);
      }
      if (volumesProblem != null) {
        volumesProblem = null;
        for (ContainerRun c : all()) {
          if (c.process == null) {
            c.state =
                ContainerRun.waiting(
                    c.init || init.isEmpty() ? "ContainerCreating" : "PodInitializing", null);
          }
        }
      }
      return true;
    } catch (ContainerConfigException e) {
      if (!e.getMessage().equals(volumesProblem)) {
        node.events()
            .warning(pod, null, "FailedMount", "MountVolume.SetUp failed: " + e.getMessage());
      }
      volumesProblem = e.getMessage();
      for (ContainerRun c : all()) {
        if (c.process == null) {
          c.state =
              ContainerRun.waiting(
                  "ContainerCreating", "MountVolume.SetUp failed: " + volumesProblem);
        }
      }
      return false;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void checkDeadlineAndDisk(Instant now) {
    Long deadline = pod.getSpec().getActiveDeadlineSeconds();
    if (deadline != null && startTime != null && now.isAfter(startTime.plusSeconds(deadline))) {
      fail("DeadlineExceeded", "Pod was active on the node longer than the specified deadline");
      return;
    }
    if (volumes.hasSizeLimits() && now.isAfter(nextUsageCheck)) {
      nextUsageCheck = now.plus(USAGE_CHECK);
      volumes.overLimit().ifPresent(message -> fail("Evicted", message));
    }
  }

  private void runInit(Instant now) {
    ContainerRun c = init.get(initDone);
    if (c.process != null && !c.process.alive() && !c.terminated()) {
      int code = c.reap(fallbackToLogs(c));
      if (code == 0) {
        initDone++;
        if (initDone < init.size()) {
          runInit(now);
        } else {
          main.forEach(m -> m.state = ContainerRun.waiting("ContainerCreating", null));
        }
        return;
      }
      if ("Never".equals(restartPolicy())) {
        fail("Failed", exitMessage(c, code));
        return;
      }
      c.backOff(pod.getMetadata().getName(), log(c.spec.getName()).toString());
      node.events()
          .warning(
              pod,
              c.spec.getName(),
              "BackOff",
              "Back-off restarting failed container " + c.spec.getName());
    }
    if (c.dueToStart(now) && !c.running()) {
      start(c);
    }
  }

  /** Starts, reaps, restarts and probes one container. */
  private void supervise(ContainerRun c, Instant now) {
    if (c.process != null && !c.process.alive() && !c.terminated() && c.restartAt == null) {
      int code = c.reap(fallbackToLogs(c));
      LOG.info("pod {}: container {} exited with code {}", key(), c.spec.getName(), code);
      boolean restart =
          switch (restartPolicy()) {
            case "Never" -> false;
            case "OnFailure" -> code != 0;
            default -> true;
          };
      if (restart) {
        c.backOff(pod.getMetadata().getName(), log(c.spec.getName()).toString());
        node.events()
            .warning(
                pod,
                c.spec.getName(),
                "BackOff",
                "Back-off restarting failed container "
                    + c.spec.getName()
                    + " in pod "
                    + pod.getMetadata().getName());
      }
      return;
    }
    if (c.terminated() && c.restartAt == null) {
      return; // done for good (restartPolicy)
    }
    if (!c.running() && c.dueToStart(now)) {
      start(c);
      return;
    }
    if (c.running() && !c.process.stopping()) {
      probe(c, now);
    }
  }

  private void probe(ContainerRun c, Instant now) {
    if (c.startup != null && !Boolean.TRUE.equals(c.startup.result())) {
      if (c.startup.tick(now) && Boolean.FALSE.equals(c.startup.result())) {
        unhealthy(c, c.startup);
      } else if (Boolean.TRUE.equals(c.startup.result())) {
        c.started = true;
      }
      return;
    }
    c.started = true;
    if (c.liveness != null && c.liveness.tick(now) && Boolean.FALSE.equals(c.liveness.result())) {
      unhealthy(c, c.liveness);
      return;
    }
    if (c.readiness == null) {
      c.ready = true;
    } else {
      if (c.readiness.tick(now) && Boolean.FALSE.equals(c.readiness.result())) {
        node.events().warning(pod, c.spec.getName(), "Unhealthy", c.readiness.lastMessage());
      }
      c.ready = Boolean.TRUE.equals(c.readiness.result());
    }
  }

  /** A failed liveness or startup probe: the container is killed and restarted by policy. */
  private void unhealthy(ContainerRun c, Probes probe) {
    node.events().warning(pod, c.spec.getName(), "Unhealthy", probe.lastMessage());
    node.events()
        .normal(
            pod,
            c.spec.getName(),
            "Killing",
            "Container "
                + c.spec.getName()
                + " failed "
                + probe.kind().toLowerCase()
                + " probe, will be restarted");
    LOG.info(
        "pod {}: container {} failed its {} probe: killing it",
        key(),
        c.spec.getName(),
        probe.kind());
    c.ready = false;
    c.process.terminate(gracePeriod());
  }

  private void start(ContainerRun c) {
    try {
      Map<String, Path> mounts = volumes.mounts(c.spec);
      Path tmp = mounts.containsKey("/tmp") ? mounts.get("/tmp") : dir.resolve("tmp");
      Files.createDirectories(tmp);
      PathRewriter rewriter = new PathRewriter(mounts);
      Map<String, String> env =
          ContainerEnvironment.resolve(
              node.client(), pod, c.spec, downward, rewriter, node.serviceEnvironment());
      Container effective =
          new ContainerBuilder(c.spec)
              .withCommand(rewrite(c.spec.getCommand(), env, rewriter))
              .withArgs(rewrite(c.spec.getArgs(), env, rewriter))
              .build();
      List<String> command =
          new ArrayList<>(
              c.image.command(
                  effective,
                  new LocalImage.Launch(
                      tmp,
                      limit(c.spec, "memory").longValue(),
                      limit(c.spec, "cpu").doubleValue())));
      Map<String, String> processEnv = new LinkedHashMap<>(env);
      processEnv.putIfAbsent("HOSTNAME", pod.getMetadata().getName());
      processEnv.putIfAbsent("TMPDIR", tmp.toString());
      String jvmOptions = System.getenv("JDK_JAVA_OPTIONS");
      if (jvmOptions != null) {
        // Passed through, so a benchmark can profile every worker too.
        processEnv.putIfAbsent("JDK_JAVA_OPTIONS", jvmOptions);
      }
      if (c.image.port().binds()) {
        if (c.hostPort == 0) {
          c.hostPort = LocalProcesses.freePort();
        }
        c.image.port().apply(c.hostPort, command, processEnv);
      }
      Path workDir = Optional.ofNullable(c.spec.getWorkingDir()).map(rewriter::local).orElse(dir);
      ContainerProcess process =
          ContainerProcess.start(
              command,
              processEnv,
              workDir,
              log(c.spec.getName()),
              "container " + c.spec.getName() + " of pod " + key() + ", run " + (c.runs + 1));
      c.running(process);
      Instant started = process.startedAt();
      Probes.Ports ports = p -> hostPortOf(c, p);
      c.startup = probes(c.spec.getStartupProbe(), "Startup", started, null, ports, env, workDir);
      c.liveness =
          probes(c.spec.getLivenessProbe(), "Liveness", started, true, ports, env, workDir);
      c.readiness =
          probes(c.spec.getReadinessProbe(), "Readiness", started, false, ports, env, workDir);
      c.started = c.startup == null;
      LOG.info(
          "pod {}: started container {} (pid {}{}, log {})",
          key(),
          c.spec.getName(),
          process.pid(),
          c.hostPort == 0 ? "" : ", port " + c.hostPort,
          log(c.spec.getName()));
      node.events()
          .normal(pod, c.spec.getName(), "Started", "Started container " + c.spec.getName());
    } catch (ContainerConfigException e) {
      if (c.state.getWaiting() == null
          || !e.getMessage().equals(c.state.getWaiting().getMessage())) {
        node.events().warning(pod, c.spec.getName(), "Failed", "Error: " + e.getMessage());
      }
      c.state = ContainerRun.waiting("CreateContainerConfigError", e.getMessage());
    } catch (NotRunnable e) {
      if ("Always".equals(restartPolicy())) {
        c.state = ContainerRun.waiting("CreateContainerError", e.getMessage());
        blocked = true;
      } else {
        fail("UnknownImage", e.getMessage());
      }
    } catch (IOException e) {
      c.state = ContainerRun.waiting("CreateContainerError", e.getMessage());
      c.restartAt = Instant.now().plus(c.backoff);
    }
  }

  private Probes probes(
      Probe probe,
      String kind,
      Instant started,
      Boolean initial,
      Probes.Ports ports,
      Map<String, String> env,
      Path workDir) {
    if (probe == null) {
      return null;
    }
    Duration timeout =
        Duration.ofSeconds(Math.max(1, Objects.requireNonNullElse(probe.getTimeoutSeconds(), 1)));
    return new Probes(
        probe,
        kind,
        started,
        initial,
        ports,
        command -> Probes.exec(kind, command, env, workDir, timeout));
  }

  private static List<String> rewrite(
      List<String> values, Map<String, String> env, PathRewriter rewriter) {
    if (values == null) {
      return null;
    }
    return values.stream().map(v -> rewriter.rewrite(ContainerEnvironment.expand(v, env))).toList();
  }

  /** The mount paths of every container: what ConfigMap text may name. */
  private PathRewriter configRewriter() {
    Map<String, Path> all = new LinkedHashMap<>();
    for (ContainerRun c : all()) {
      try {
        all.putAll(volumes.mounts(c.spec));
      } catch (NotRunnable unknownVolume) {
        // reported when the container starts
      }
    }
    return new PathRewriter(all);
  }

  private Integer hostPortOf(ContainerRun c, IntOrString port) {
    String key = port.getStrVal() != null ? port.getStrVal() : String.valueOf(port.getIntVal());
    Integer mapped = mappedPort(c, key);
    if (mapped == null) {
      throw new IllegalArgumentException("container " + c.spec.getName() + " has no port " + key);
    }
    return mapped;
  }

  /**
   * A port of the container by name or number, on the host: the bound one mapped, others as
   * declared.
   */
  private static Integer mappedPort(ContainerRun c, String nameOrNumber) {
    List<ContainerPort> ports = Optional.ofNullable(c.spec.getPorts()).orElse(List.of());
    for (int i = 0; i < ports.size(); i++) {
      ContainerPort p = ports.get(i);
      if (nameOrNumber.equals(p.getName())
          || nameOrNumber.equals(String.valueOf(p.getContainerPort()))) {
        return i == 0 && c.hostPort != 0 ? c.hostPort : p.getContainerPort();
      }
    }
    return nameOrNumber.chars().allMatch(Character::isDigit) ? Integer.valueOf(nameOrNumber) : null;
  }

  private BigDecimal limit(Container container, String resource) {
    var resources = container.getResources();
    Quantity q =
        resources == null || resources.getLimits() == null
            ? null
            : resources.getLimits().get(resource);
    return q == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(q);
  }

  private void stopAll(Duration grace) {
    if (!stopping) {
      stopping = true;
      long running = all().stream().filter(ContainerRun::running).count();
      if (running > 0) {
        LOG.info("pod {}: stopping {} container(s), grace {} s", key(), running, grace.toSeconds());
      }
    }
    for (ContainerRun c : all()) {
      if (c.running()) {
        if (!c.process.stopping()) {
          node.events()
              .normal(pod, c.spec.getName(), "Killing", "Stopping container " + c.spec.getName());
        }
        c.process.terminate(grace);
      }
    }
  }

  private void reapStopped() {
    for (ContainerRun c : all()) {
      if (c.process != null && !c.process.alive() && !c.terminated()) {
        c.reap(fallbackToLogs(c));
        c.restartAt = null;
      } else if (c.process == null && c.state.getWaiting() != null && stopping) {
        c.state =
            ContainerRun.waiting(
                c.state.getWaiting().getReason(), c.state.getWaiting().getMessage());
      } else if (c.restartAt != null) {
        c.restartAt = null; // no restart of a Pod being stopped
      }
    }
  }

  /** The kubelet's last word on a deleted Pod: remove it from the API server (grace 0). */
  private void confirmDeletion() {
    try {
      node.client()
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .withGracePeriod(0)
          .delete();
      LOG.info("pod {}: stopped and deleted", key());
      cleanUp();
      finished = true;
    } catch (RuntimeException e) {
      LOG.debug("pod {}: deletion not confirmed yet: {}", key(), e.getMessage());
    }
  }

  /** Volumes go with the Pod (they may hold Secrets); the logs stay for the user to read. */
  private void cleanUp() {
    try {
      LocalProcesses.deleteRecursively(dir.resolve("volumes"));
    } catch (IOException e) {
      LOG.debug("pod {}: volumes not removed: {}", key(), e.getMessage());
    }
  }

  private Duration deletionGrace() {
    Long requested = pod.getMetadata().getDeletionGracePeriodSeconds();
    return requested != null ? Duration.ofSeconds(requested) : gracePeriod();
  }

  private Duration gracePeriod() {
    return Duration.ofSeconds(
        Objects.requireNonNullElse(pod.getSpec().getTerminationGracePeriodSeconds(), 30L));
  }

  private boolean fallbackToLogs(ContainerRun c) {
    return "FallbackToLogsOnError".equals(c.spec.getTerminationMessagePolicy());
  }

  String exitMessage(ContainerRun c, int code) {
    return "container "
        + c.spec.getName()
        + " exited with code "
        + code
        + " (log: "
        + log(c.spec.getName())
        + ")";
  }

  String restartPolicy() {
    return Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
  }

  private List<ContainerRun> all() {
    List<ContainerRun> all = new ArrayList<>(init);
    all.addAll(main);
    return all;
  }

  String key() {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
