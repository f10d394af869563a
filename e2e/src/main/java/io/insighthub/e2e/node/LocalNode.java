package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kubernetes node on this machine, standing in for a kubelet: registers a Node with a declared
 * capacity and keeps its Lease renewed, so the real scheduler binds Pods to it and the node
 * lifecycle controller keeps it Ready; runs every Pod bound to it as local processes ({@link
 * PodRunner}), with the images of its {@link Images} catalogue; writes their status; and confirms
 * their deletion. Deployments, ReplicaSets, Jobs and CronJobs stay with the real controllers.
 *
 * <p>What differs from a kubelet, by design: no containers (processes share the host's file system,
 * network and user; mount paths are rewritten to the Pod's volume directories, see {@link
 * PathRewriter}; resource limits are not enforced, except that a JVM image is told its memory
 * limit); every Pod has the host's loopback address, and an image's declared port is given a free
 * host port ({@link PortBinding}); one log file per container under {@code
 * <podsDir>/<namespace>/<pod>/<container>.log} instead of {@code kubectl logs}; no {@code exec},
 * {@code attach} or port-forward; lifecycle hooks and sidecar init containers are not supported; an
 * image the node does not know fails the Pod (restartPolicy Never or OnFailure) or leaves it
 * waiting with the reason (Always, so a ReplicaSet does not replace failed Pods in a loop).
 */
public final class LocalNode implements AutoCloseable {
  /** The address of every Pod and of the node. */
  public static final String IP = "127.0.0.1";

  /** Label of the Node object: the test bed's local node. */
  public static final String LABEL = "insighthub.io/local-node";

  private static final Logger LOG = LoggerFactory.getLogger(LocalNode.class);
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);
  private static final Duration CLOSE_LIMIT = Duration.ofSeconds(30);
  private static final Duration SCHEDULABLE_LIMIT = Duration.ofSeconds(60);

  private final NodeContext context;
  private final NodeRegistration registration;
  private final ScheduledExecutorService loop;
  private final ExecutorService events;
  private final Map<String, PodRunner> runners = new ConcurrentHashMap<>();

  /** Pods whose deletion this node confirmed, until the informer reports them gone. */
  private final java.util.Set<String> confirmed = ConcurrentHashMap.newKeySet();

  private final SharedIndexInformer<Pod> informer;

  private LocalNode(
      KubernetesClient client, String name, Images images, NodeCapacity capacity, Path podsDir) {
    this.events = Executors.newSingleThreadExecutor(r -> daemon(r, "local-node-events"));
    this.loop = Executors.newScheduledThreadPool(3, r -> daemon(r, "local-node"));
    URI api = URI.create(client.getMasterUrl().toString());
    int apiPort = api.getPort() > 0 ? api.getPort() : 443;
    Map<String, String> service = new LinkedHashMap<>();
    service.put("KUBERNETES_SERVICE_HOST", api.getHost());
    service.put("KUBERNETES_SERVICE_PORT", String.valueOf(apiPort));
    service.put("KUBERNETES_SERVICE_PORT_HTTPS", String.valueOf(apiPort));
    service.put("KUBERNETES_PORT", "tcp://" + api.getHost() + ":" + apiPort);
    this.context =
        new NodeContext(
            client, name, images, capacity, podsDir, new NodeEvents(client, name, events), service);
    this.registration = new NodeRegistration(client, name, capacity);
    registration.register();
    loop.scheduleWithFixedDelay(
        registration::heartbeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    this.informer =
        client
            .pods()
            .inAnyNamespace()
            .withField("spec.nodeName", name)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    seen(pod);
                  }

                  @Override
                  public void onUpdate(Pod old, Pod pod) {
                    seen(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    gone(pod);
                  }
                },
                0);
    loop.scheduleWithFixedDelay(
        this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    awaitSchedulable();
  }

  /**
   * A new Node carries the {@code node.kubernetes.io/not-ready} taint until the node lifecycle
   * controller has seen it Ready: wait for that, so Pods created next are bound at once.
   */
  private void awaitSchedulable() {
    long deadline = System.nanoTime() + SCHEDULABLE_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      var node = context.client().nodes().withName(name()).get();
      if (node != null
          && (node.getSpec().getTaints() == null || node.getSpec().getTaints().isEmpty())) {
        return;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.warn(
        "node {} still tainted after {} s: is kube-controller-manager running?",
        name(),
        SCHEDULABLE_LIMIT.toSeconds());
  }

  /**
   * Registers a node named {@code name} and starts running the Pods bound to it.
   *
   * @param podsDir where each Pod gets its directory: volumes, working directory, container logs
   */
  public static LocalNode start(KubernetesClient client, String name, Images images, Path podsDir) {
    return start(client, name, images, NodeCapacity.DEFAULT, podsDir);
  }

  public static LocalNode start(
      KubernetesClient client, String name, Images images, NodeCapacity capacity, Path podsDir) {
    return new LocalNode(client, name, images, capacity, podsDir.toAbsolutePath());
  }

  public String name() {
    return context.nodeName();
  }

  /** Where the Pods' directories are: {@code <namespace>/<pod>/<container>.log}. */
  public Path podsDir() {
    return context.podsDir();
  }

  /** The log file of a container of a Pod (it may not exist yet). */
  public Path log(String namespace, String pod, String container) {
    return context.podsDir().resolve(namespace).resolve(pod).resolve(container + ".log");
  }

  /** The host port of a running container's port (by name or number), if the Pod runs here. */
  public Optional<Integer> hostPort(String namespace, String pod, String port) {
    return runner(namespace, pod).flatMap(r -> r.hostPort(port));
  }

  /** The process id of a container's current run, if it is running. */
  public Optional<Long> pid(String namespace, String pod, String container) {
    return runner(namespace, pod)
        .flatMap(r -> r.container(container))
        .filter(ContainerRun::running)
        .map(c -> c.process.pid());
  }

  /**
   * Sends a signal (STOP, CONT, KILL...) to a running container's process: a test's way to hang or
   * crash a worker. The node treats the outcome as it would any other.
   */
  public void signal(String namespace, String pod, String container, String signal) {
    ContainerRun c =
        runner(namespace, pod)
            .flatMap(r -> r.container(container))
            .filter(ContainerRun::running)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        namespace + "/" + pod + " " + container + " is not running"));
    c.process.signal(signal);
  }

  /** The Pods (namespace/name) this node has processes running for. */
  public List<String> runningPods() {
    List<String> running = new ArrayList<>();
    for (PodRunner r : runners.values()) {
      if (r.containers().stream().anyMatch(ContainerRun::running)) {
        running.add(r.key());
      }
    }
    return running;
  }

  private Optional<PodRunner> runner(String namespace, String pod) {
    return runners.values().stream()
        .filter(r -> !r.finished())
        .filter(
            r ->
                r.pod().getMetadata().getNamespace().equals(namespace)
                    && r.pod().getMetadata().getName().equals(pod))
        .findFirst();
  }

  private void seen(Pod pod) {
    if (confirmed.contains(pod.getMetadata().getUid())) {
      return;
    }
    PodRunner runner =
        runners.computeIfAbsent(pod.getMetadata().getUid(), uid -> new PodRunner(context, pod));
    runner.update(pod);
    submit(runner);
  }

  private void gone(Pod pod) {
    confirmed.remove(pod.getMetadata().getUid());
    PodRunner runner = runners.get(pod.getMetadata().getUid());
    if (runner != null) {
      runner.update(pod);
      runner.removed();
      submit(runner);
    }
  }

  private void submit(PodRunner runner) {
    try {
      loop.execute(runner::sync);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the node is closing
    }
  }

  private void tick() {
    for (var it = runners.entrySet().iterator(); it.hasNext(); ) {
      PodRunner runner = it.next().getValue();
      runner.sync();
      if (runner.finished()) {
        it.remove();
        if (!runner.removedFromApi()) {
          confirmed.add(runner.pod().getMetadata().getUid());
        }
      }
    }
  }

  /**
   * Stops every process (SIGTERM, SIGKILL after the Pod's grace period, at most 15 s) and
   * deregisters the node. The API server may be going away too, so no status is written.
   */
  @Override
  public void close() {
    informer.close();
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long deadline = System.nanoTime() + CLOSE_LIMIT.toNanos();
    boolean stopped = false;
    while (!stopped && System.nanoTime() < deadline) {
      stopped =
          runners.values().stream().map(PodRunner::closeNow).reduce(true, Boolean::logicalAnd);
      if (!stopped) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (!stopped) {
      LOG.warn("node {}: processes still running after {} s", name(), CLOSE_LIMIT.toSeconds());
    }
    events.shutdown();
    registration.deregister();
    runners.clear();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
