package io.insighthub.e2e;

import io.insighthub.e2e.kube.KubeApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The local stack behind the README's run command: a real API server with the CRDs and the samples
 * applied, kept up until Ctrl-C. Later parts (Kafka, Connect, PostgreSQL, the operator and its
 * workers) join it here.
 */
public final class LocalStack {
  private static final String NAMESPACE = "insighthub";

  private LocalStack() {}

  public static void main(String[] args) throws Exception {
    Path repoRoot = Path.of(System.getProperty("insighthub.repoRoot", ".")).toAbsolutePath();
    Path workDir = Path.of(System.getProperty("user.home"), ".cache", "insighthub", "local-stack");
    Files.createDirectories(workDir);

    long started = System.nanoTime();
    step("starting etcd and kube-apiserver (logs in " + workDir + ")");
    KubeApiServer server = KubeApiServer.start(repoRoot, workDir.resolve("kube-apiserver"));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  step("stopping");
                  server.close();
                  stopped.countDown();
                }));

    step("installing the InsightHub and Strimzi CRDs");
    server.installProjectCrds();
    server.installStrimziCrds();
    step("applying samples/ to namespace " + NAMESPACE);
    server.kubectl("create", "namespace", NAMESPACE).orThrow();
    System.out.print(server.kubectl("apply", "-n", NAMESPACE, "-f", "samples/").orThrow().stdout());

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf(
        """

        Local stack ready in %d s. Try:
          export KUBECONFIG=%s
          kubectl get insighthub -n %s
          kubectl explain pipeline.spec
        Press Ctrl-C to stop; nothing is left running.
        """,
        took.toSeconds(), server.kubeconfig(), NAMESPACE);
    stopped.await();
  }

  private static void step(String what) {
    System.out.println("[local-stack] " + what);
  }
}
