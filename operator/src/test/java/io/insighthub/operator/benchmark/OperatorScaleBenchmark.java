package io.insighthub.operator.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.PipelineStatus;
import io.insighthub.e2e.kube.KubeApiServer;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.ChildEvents;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.pipeline.PipelineStatusBuilder;
import io.insighthub.operator.pipeline.ResolvedPipeline;
import io.insighthub.operator.pipeline.TopicBuilder;
import io.insighthub.operator.pipeline.WorkerConfigMapBuilder;
import io.insighthub.operator.pipeline.WorkerDeploymentBuilder;
import io.insighthub.operator.testing.KubeletEmulation;
import io.insighthub.operator.testing.Samples;
import io.insighthub.operator.testing.TestClusters;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DESIGN.md section 10: the packaged operator (java -jar, -Xmx256m) with many Pipelines on the real
 * API server. Not part of ./build verify; run it with {@code ./build verify -pl operator
 * -Dit.test=OperatorScaleBenchmark -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dbenchmark.pipelines=1000} and record the printed results in BENCHMARKS.md. Strimzi and the
 * kubelet are emulated by marking topics Ready and the Deployments' Pods ready as they appear; the
 * test bed's Deployment and ReplicaSet controllers do the rest.
 */
@ExtendWith(KubeApiServerExtension.class)
class OperatorScaleBenchmark {
  static final int PIPELINES = Integer.getInteger("benchmark.pipelines", 1000);
  static final int CREATE_THREADS = 4;
  static final int EMULATION_THREADS = 4;
  static final Set<String> WRITE_VERBS = Set.of("create", "patch", "update", "delete");
  static final List<String> CONTROL_PLANE =
      List.of("kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler");

  @Test
  void manyPipelinesBecomeReadyAndAResyncWritesNothing(
      KubeApiServer server, KubernetesClient client, TestNamespace namespace) throws Exception {
    String ns = namespace.name();
    prerequisites(client, ns);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String loadBefore = loadAverage();
    Process operator = start(server, ns, port);
    try (Emulation emulation = new Emulation(client, ns)) {
      await().atMost(Duration.ofMinutes(2)).until(() -> status(port) == 200);
      Map<String, Double> requestsBefore = requests(port);
      Map<String, Double> cpuBefore = cpu(operator, server);
      long started = System.nanoTime();
      try (ExecutorService pool = Executors.newFixedThreadPool(CREATE_THREADS)) {
        IntStream.range(0, PIPELINES)
            .forEach(
                i ->
                    pool.submit(() -> client.resource(TestPipelines.events("p" + i, ns)).create()));
      }
      long created = System.nanoTime();
      await()
          .atMost(Duration.ofMinutes(15))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> emulation.ready() == PIPELINES);
      long ready = System.nanoTime();
      Map<String, Double> cpuToReady = minus(cpu(operator, server), cpuBefore);
      String loadAtReady = loadAverage();
      Map<String, Double> requestsToReady = minus(requests(port), requestsBefore);
      metrics(port)
          .lines()
          .filter(l -> l.startsWith("operator_sdk_") && !l.contains("_bucket"))
          .filter(l -> l.contains("pipeline") || l.contains("Pipeline"))
          .forEach(l -> System.out.println("BENCHMARK josdk " + l));
      Map<String, String> before = resourceVersions(client, ns);
      String heapAfterReady = heap(port);
      String liveAfterReady = liveHeap(port);
      metrics(port)
          .lines()
          .filter(l -> l.startsWith("jvm_gc_") && !l.contains("_bucket"))
          .forEach(l -> System.out.println("BENCHMARK gc " + l));
      if (Boolean.getBoolean("benchmark.histogram")) {
        histogram(operator.pid());
      }

      // A resync: a new operator process lists everything and reconciles every Pipeline again.
      operator.destroy();
      operator.waitFor();
      operator = start(server, ns, port);
      Process restarted = operator;
      await().atMost(Duration.ofMinutes(2)).until(() -> status(port) == 200);
      long resyncStarted = System.nanoTime();
      await()
          .atMost(Duration.ofMinutes(10))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> reconciled(port) >= PIPELINES);
      long resynced = System.nanoTime();
      Map<String, Double> resyncRequests = requests(port);
      Map<String, String> after = resourceVersions(client, ns);
      long changed =
          before.entrySet().stream()
              .filter(e -> !e.getValue().equals(after.get(e.getKey())))
              .count();
      double resyncWrites =
          resyncRequests.entrySet().stream()
              .filter(e -> WRITE_VERBS.contains(e.getKey().split(" ")[0]))
              .mapToDouble(Map.Entry::getValue)
              .sum();

      System.out.printf(
          "BENCHMARK pipelines=%d create=%.1fs allReady=%.1fs (from first create)"
              + " objects=%d statusWritesByEmulation=%d changedByResync=%d writesByResync=%.0f"
              + " resync=%.1fs heapAfterReady=%s (live after last major GC %s) heapAfterResync=%s"
              + " alive=%s"
              + " loadAverage(before/atReady/end)=%s / %s / %s%n",
          PIPELINES,
          (created - started) / 1e9,
          (ready - started) / 1e9,
          before.size(),
          emulation.statusWrites(),
          changed,
          resyncWrites,
          (resynced - resyncStarted) / 1e9,
          heapAfterReady,
          liveAfterReady,
          heap(port),
          restarted.isAlive(),
          loadBefore,
          loadAtReady,
          loadAverage());
      System.out.printf(
          "BENCHMARK requests until all Ready: %.0f (%.1f per Pipeline)%n",
          requestsToReady.values().stream().mapToDouble(Double::doubleValue).sum(),
          requestsToReady.values().stream().mapToDouble(Double::doubleValue).sum() / PIPELINES);
      requestsToReady.forEach(
          (key, count) ->
              System.out.printf(
                  "BENCHMARK   %-40s %8.0f  %6.2f per Pipeline%n", key, count, count / PIPELINES));
      System.out.println("BENCHMARK CPU seconds from first create to all Ready:");
      cpuToReady.forEach(
          (who, seconds) -> System.out.printf("BENCHMARK   %-40s %8.1f%n", who, seconds));
      System.out.println("BENCHMARK requests of the restarted operator's resync:");
      resyncRequests.forEach(
          (key, count) -> System.out.printf("BENCHMARK   %-40s %8.0f%n", key, count));
      assertThat(changed).isZero();
      assertThat(resyncWrites).isZero();
    } finally {
      operator.destroy();
      if (!operator.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        operator.destroyForcibly();
      }
    }
  }

  /**
   * The API server's share alone: no operator runs; the harness itself sends the writes the
   * operator sends for a Pipeline (its 7 children applied server-side under the operator's field
   * manager from the operator's own builders, 3 status patches, 2 Events), with no reads, no
   * waiting between them and no reconcile work, while the emulation plays Strimzi and the kubelet
   * as in the main benchmark. Its time is what the same writes take on this machine with an
   * operator that cost nothing. Run with {@code -Dbenchmark.apiFloor=true}.
   */
  @Test
  void apiServerFloorWithoutAnOperator(
      KubeApiServer server, KubernetesClient client, TestNamespace namespace) throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("benchmark.apiFloor"), "-Dbenchmark.apiFloor=true");
    String ns = namespace.name();
    prerequisites(client, ns);
    OperatorConfig config = OperatorConfig.defaults().withKafkaCluster("main");
    String loadBefore = loadAverage();
    AtomicLong writes = new AtomicLong();
    try (Emulation emulation = new Emulation(client, ns)) {
      Map<String, Double> cpuBefore = cpu(null, server);
      long started = System.nanoTime();
      try (ExecutorService pool = Executors.newFixedThreadPool(CREATE_THREADS * 2)) {
        List<Future<?>> done =
            IntStream.range(0, PIPELINES)
                .<Future<?>>mapToObj(
                    i ->
                        pool.submit(
                            () -> {
                              writeAsTheOperatorWould(client, ns, config, "p" + i, writes);
                              return null;
                            }))
                .toList();
        for (Future<?> each : done) {
          each.get();
        }
      }
      long written = System.nanoTime();
      await()
          .atMost(Duration.ofMinutes(15))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> emulation.ready() == PIPELINES && emulation.idle());
      long ready = System.nanoTime();
      Map<String, Double> cpuToReady = minus(cpu(null, server), cpuBefore);
      System.out.printf(
          "BENCHMARK apiFloor pipelines=%d writesByHarness=%d (%.1f per Pipeline)"
              + " statusWritesByEmulation=%d writesDone=%.1fs allReady=%.1fs"
              + " loadAverage(before/end)=%s / %s%n",
          PIPELINES,
          writes.get(),
          writes.get() / (double) PIPELINES,
          emulation.statusWrites(),
          (written - started) / 1e9,
          (ready - started) / 1e9,
          loadBefore,
          loadAverage());
      System.out.println("BENCHMARK apiFloor CPU seconds from first create to all Ready:");
      cpuToReady.forEach(
          (who, seconds) -> System.out.printf("BENCHMARK   %-40s %8.1f%n", who, seconds));
    }
  }

  /** One Pipeline's writes, as the operator sends them, without reading anything first. */
  static void writeAsTheOperatorWould(
      KubernetesClient client, String ns, OperatorConfig config, String name, AtomicLong writes) {
    Pipeline pipeline = client.resource(TestPipelines.events(name, ns)).create();
    writes.incrementAndGet();
    ResolvedPipeline resolved = ResolvedPipeline.resolve(pipeline, List.of(), null, config);
    List<HasMetadata> first =
        new ArrayList<>(TopicBuilder.build(pipeline, resolved.kafkaCluster()));
    first.add(WorkerConfigMapBuilder.build(resolved));
    List<Deployment> deployments = WorkerDeploymentBuilder.build(resolved);
    Instant now = Instant.now();
    apply(client, pipeline, first, writes);
    status(
        client,
        pipeline,
        PipelineStatusBuilder.build(resolved, List.of(), List.of(), List.of(), now),
        writes);
    new ChildEvents(client)
        .record(pipeline, ChildEvents.NORMAL, "Created", "Created " + first.size());
    writes.incrementAndGet();
    List<KafkaTopic> readyTopics =
        TopicBuilder.build(pipeline, resolved.kafkaCluster()).stream()
            .peek(
                t ->
                    t.setStatus(
                        new KafkaTopicStatusBuilder()
                            .withObservedGeneration(1L)
                            .withConditions(
                                new ConditionBuilder().withType("Ready").withStatus("True").build())
                            .build()))
            .toList();
    apply(client, pipeline, new ArrayList<>(deployments), writes);
    new ChildEvents(client)
        .record(pipeline, ChildEvents.NORMAL, "Created", "Created " + deployments.size());
    writes.incrementAndGet();
    status(
        client,
        pipeline,
        PipelineStatusBuilder.build(resolved, readyTopics, deployments, List.of(), now),
        writes);
    List<Deployment> available =
        WorkerDeploymentBuilder.build(resolved).stream()
            .peek(
                d -> {
                  d.getMetadata().setGeneration(1L);
                  d.setStatus(
                      new DeploymentStatusBuilder()
                          .withObservedGeneration(1L)
                          .withAvailableReplicas(d.getSpec().getReplicas())
                          .build());
                })
            .toList();
    status(
        client,
        pipeline,
        PipelineStatusBuilder.build(resolved, readyTopics, available, List.of(), now),
        writes);
  }

  private static void apply(
      KubernetesClient client, Pipeline owner, List<HasMetadata> children, AtomicLong writes) {
    for (HasMetadata child : children) {
      child
          .getMetadata()
          .setOwnerReferences(
              List.of(
                  new OwnerReferenceBuilder()
                      .withApiVersion(owner.getApiVersion())
                      .withKind(owner.getKind())
                      .withName(owner.getMetadata().getName())
                      .withUid(owner.getMetadata().getUid())
                      .withController(true)
                      .withBlockOwnerDeletion(false)
                      .build()));
      client
          .resource(child)
          .fieldManager(OperatorConfig.FIELD_MANAGER)
          .forceConflicts()
          .serverSideApply();
      writes.incrementAndGet();
    }
  }

  private static void status(
      KubernetesClient client, Pipeline pipeline, PipelineStatus status, AtomicLong writes) {
    Pipeline patch = new Pipeline();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(pipeline.getMetadata().getName())
            .withNamespace(pipeline.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    client
        .resource(patch)
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager(OperatorConfig.FIELD_MANAGER)
                .withForce(true)
                .build());
    writes.incrementAndGet();
  }

  static Process start(KubeApiServer server, String ns, int port) throws IOException {
    Path jar = Samples.repoRoot().resolve("operator/target/insighthub-operator.jar");
    Path log = Path.of("target", "benchmark-operator.log").toAbsolutePath();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    // e.g. -Dbenchmark.operatorJvm=-XX:StartFlightRecording=filename=/tmp/op.jfr,settings=profile
    String jvm = System.getProperty("benchmark.operatorJvm", "");
    if (!jvm.isBlank()) {
      command.addAll(List.of(jvm.trim().split("\\s+")));
    }
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("KUBECONFIG", server.kubeconfig().toString());
    builder.environment().put("INSIGHTHUB_WATCH_NAMESPACES", ns);
    builder.environment().put("INSIGHTHUB_KAFKA_CLUSTER", "main");
    builder.environment().put("INSIGHTHUB_HTTP_PORT", Integer.toString(port));
    builder.environment().put("INSIGHTHUB_LOG_LEVEL", "WARN");
    String threads = System.getProperty("benchmark.reconcileThreads");
    if (threads != null) {
      builder.environment().put("INSIGHTHUB_RECONCILE_THREADS", threads);
    }
    Files.createDirectories(log.getParent());
    return builder.start();
  }

  /**
   * Plays Strimzi and the kubelet as they would: watches KafkaTopics and Pods and writes the status
   * of each new one from a few threads (Strimzi and the kubelet are not single-threaded either),
   * and counts the Pipelines that are Ready from a watch.
   */
  static final class Emulation implements AutoCloseable {
    private final KubernetesClient client;
    private final ExecutorService writers = Executors.newFixedThreadPool(EMULATION_THREADS);
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<String> readyPipelines = ConcurrentHashMap.newKeySet();
    private final AtomicLong statusWrites = new AtomicLong();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    Emulation(KubernetesClient client, String ns) {
      this.client = client;
      informers.add(
          client
              .resources(KafkaTopic.class)
              .inNamespace(ns)
              .inform(handler(t -> t.getStatus() == null, this::topicReady)));
      // The test bed runs the real Deployment and ReplicaSet controllers: the kubelet's part is
      // the Pods' status, from which they derive the Deployments'.
      KubeletEmulation kubelet = new KubeletEmulation(client, ns);
      informers.add(
          client
              .pods()
              .inNamespace(ns)
              .inform(
                  handler(
                      p -> p.getStatus() == null || p.getStatus().getStartTime() == null,
                      kubelet::ready)));
      informers.add(
          client
              .resources(Pipeline.class)
              .inNamespace(ns)
              .inform(
                  new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pipeline p) {
                      onUpdate(null, p);
                    }

                    @Override
                    public void onUpdate(Pipeline old, Pipeline p) {
                      if (p.getStatus() != null
                          && Conditions.isTrue(
                              p.getStatus().conditions, CrdConstants.CONDITION_READY)) {
                        readyPipelines.add(p.getMetadata().getName());
                      } else {
                        readyPipelines.remove(p.getMetadata().getName());
                      }
                    }

                    @Override
                    public void onDelete(Pipeline p, boolean unknown) {
                      readyPipelines.remove(p.getMetadata().getName());
                    }
                  }));
    }

    long ready() {
      return readyPipelines.size();
    }

    long statusWrites() {
      return statusWrites.get();
    }

    /** No status write pending or running. */
    boolean idle() {
      return inFlight.isEmpty();
    }

    private <T extends HasMetadata> ResourceEventHandler<T> handler(
        java.util.function.Predicate<T> needsStatus, java.util.function.Consumer<T> write) {
      return new ResourceEventHandler<>() {
        @Override
        public void onAdd(T r) {
          onUpdate(null, r);
        }

        @Override
        public void onUpdate(T old, T r) {
          String key = r.getKind() + "/" + r.getMetadata().getName();
          if (needsStatus.test(r) && inFlight.add(key)) {
            writers.submit(
                () -> {
                  try {
                    write.accept(r);
                    statusWrites.incrementAndGet();
                  } catch (KubernetesClientException e) {
                    // A conflict: the next watch event of this object brings it back here.
                  } finally {
                    inFlight.remove(key);
                  }
                });
          }
        }

        @Override
        public void onDelete(T r, boolean unknown) {}
      };
    }

    private void topicReady(KafkaTopic topic) {
      topic.setStatus(
          new KafkaTopicStatusBuilder()
              .withObservedGeneration(topic.getMetadata().getGeneration())
              .withConditions(new ConditionBuilder().withType("Ready").withStatus("True").build())
              .build());
      client.resource(topic).updateStatus();
    }

    @Override
    public void close() {
      informers.forEach(SharedIndexInformer::close);
      writers.shutdownNow();
    }
  }

  /** The operator's API requests so far, by "verb resource" (its own request counter). */
  static Map<String, Double> requests(int port) throws Exception {
    Map<String, Double> counts = new TreeMap<>();
    metrics(port)
        .lines()
        .filter(l -> l.startsWith("insighthub_kubernetes_requests_total{"))
        .forEach(
            l -> {
              String labels = l.substring(l.indexOf('{') + 1, l.lastIndexOf('}'));
              String verb = label(labels, "verb");
              String resource = label(labels, "resource");
              counts.merge(
                  verb + " " + resource,
                  Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)),
                  Double::sum);
            });
    return counts;
  }

  private static String label(String labels, String name) {
    int at = labels.indexOf(name + "=\"");
    int from = at + name.length() + 2;
    return labels.substring(from, labels.indexOf('"', from));
  }

  static Map<String, Double> minus(Map<String, Double> now, Map<String, Double> before) {
    Map<String, Double> difference = new TreeMap<>();
    now.forEach((key, count) -> difference.put(key, count - before.getOrDefault(key, 0.0)));
    difference.values().removeIf(count -> count == 0);
    return difference;
  }

  /**
   * CPU seconds used so far by the operator, this JVM (creating Pipelines and emulating Strimzi and
   * the kubelet), each process of the control plane, and by the whole machine (both cores,
   * everyone's).
   */
  static Map<String, Double> cpu(Process operator, KubeApiServer server) {
    Map<String, Double> seconds = new TreeMap<>();
    if (operator != null) {
      seconds.put("operator", cpuSeconds(operator.pid()));
    }
    seconds.put("harness (this JVM)", cpuSeconds(ProcessHandle.current().pid()));
    String workDir = server.kubeconfig().toAbsolutePath().getParent().toString();
    ProcessHandle.allProcesses()
        .forEach(
            p ->
                p.info()
                    .commandLine()
                    .filter(cmd -> cmd.contains(workDir))
                    .ifPresent(
                        cmd -> {
                          // By the executable: etcd's data dir lies under .../kube-apiserver/.
                          String exe = p.info().command().orElse("");
                          String who =
                              CONTROL_PLANE.stream()
                                  .filter(name -> exe.endsWith("/" + name))
                                  .findFirst()
                                  .orElse(null);
                          if (who != null) {
                            seconds.merge(who, cpuSeconds(p.pid()), Double::sum);
                          }
                        }));
    try {
      String[] total = Files.readAllLines(Path.of("/proc/stat")).get(0).split("\\s+");
      double busy = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        busy += Long.parseLong(total[i]);
      }
      seconds.put("machine (all processes, 2 cores)", busy / 100.0);
    } catch (IOException e) {
      // not on Linux: no machine total
    }
    return seconds;
  }

  /** utime + stime of a process from /proc, in seconds (USER_HZ = 100); 0 if gone. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The operator's largest heap classes (jcmd GC.class_histogram, which runs a full GC). */
  static void histogram(long pid) throws Exception {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid),
                "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    String out = new String(jcmd.getInputStream().readAllBytes());
    jcmd.waitFor();
    out.lines().limit(30).forEach(l -> System.out.println("BENCHMARK histogram " + l));
    out.lines()
        .filter(l -> l.startsWith("Total"))
        .forEach(l -> System.out.println("BENCHMARK histogram " + l));
  }

  static String liveHeap(int port) throws Exception {
    double bytes =
        metrics(port)
            .lines()
            .filter(l -> l.startsWith("jvm_gc_live_data_size_bytes"))
            .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
            .sum();
    return String.format("%.0fMiB", bytes / (1 << 20));
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + "," + parts[1] + "," + parts[2];
    } catch (IOException e) {
      return "n/a";
    }
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
    TestClusters.kafka(client, ns, "main", true);
    TestClusters.sinkSecret(client, ns);
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
