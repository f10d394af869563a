package io.insighthub.e2e.scenarios;

import io.insighthub.crds.v1alpha1.Pipeline;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The README's run command: the whole system on this machine ({@link InsightHubStack} with CDC),
 * every sample applied with the local overrides, and a generator of product events and billing
 * changes, until Ctrl-C. Prints where to look.
 */
public final class LocalStack {
  static final String NAMESPACE = "insighthub";
  private static final int EVENTS_PER_SECOND = 200;
  private static final int BILLING_TRANSACTIONS_PER_SECOND = 5;

  private LocalStack() {}

  public static void main(String[] args) throws Exception {
    Path repoRoot = Path.of(System.getProperty("insighthub.repoRoot", ".")).toAbsolutePath();
    // In the checkout, not the home directory: PostgreSQL runs as nobody when started by root,
    // and nobody cannot reach files under /root.
    Path workDir =
        Path.of(
                System.getProperty(
                    "insighthub.localStackDir",
                    repoRoot.resolve("e2e/scenarios/target/local-stack").toString()))
            .toAbsolutePath();
    CountDownLatch stopped = new CountDownLatch(1);
    InsightHubStack stack;
    try {
      stack = InsightHubStack.start(repoRoot, workDir, NAMESPACE, true, LocalStack::say);
    } catch (RuntimeException e) {
      say("FAILED: " + e.getMessage());
      System.exit(1);
      return;
    }
    ScheduledExecutorService generators = Executors.newScheduledThreadPool(2);
    AtomicReference<PodActivity> activity = new AtomicReference<>();
    EventGenerator events =
        new EventGenerator(stack.broker().bootstrapServers(), NAMESPACE, System.nanoTime());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  say("stopping (Pods, operator, Connect, PostgreSQL, S3, Kafka, control plane)");
                  generators.shutdownNow();
                  if (activity.get() != null) {
                    activity.get().close();
                  }
                  events.close();
                  stack.close();
                  say("stopped; nothing left running");
                  stopped.countDown();
                }));

    say("applying samples/ (local overrides in " + workDir.resolve("manifests") + ")");
    System.out.print(
        stack.applySamples(
            List.of(
                "01-cdcsource-billing-db.yaml",
                "10-pipeline-product-events.yaml",
                "11-pipeline-billing.yaml",
                "12-pipeline-salesforce-accounts.yaml",
                "13-pipeline-billing-files.yaml",
                "20-qualityrules-product-events.yaml",
                "21-qualityrules-billing.yaml",
                "22-qualityrules-salesforce-accounts.yaml",
                "23-qualityrules-billing-files.yaml",
                "40-backfill-product-events-2025.yaml")));
    say("waiting for the product-events topics");
    stack.awaitTopicsReady("product-events", Duration.ofMinutes(3));
    AtomicBoolean sending = new AtomicBoolean(true);
    generators.scheduleAtFixedRate(
        () -> {
          try {
            // Only while the Pipeline exists: once it is deleted, a producer would make the broker
            // create its raw topic again.
            boolean present =
                stack
                        .api()
                        .client()
                        .resources(Pipeline.class)
                        .inNamespace(NAMESPACE)
                        .withName("product-events")
                        .get()
                    != null;
            if (sending.getAndSet(present) != present) {
              say(
                  present
                      ? "event generator: Pipeline product-events is back, sending again"
                      : "event generator: Pipeline product-events is gone, paused");
            }
            if (present) {
              events.send(EVENTS_PER_SECOND, Instant.now());
            }
          } catch (RuntimeException e) {
            say("event generator: " + e.getMessage());
          }
        },
        0,
        1,
        TimeUnit.SECONDS);
    generators.scheduleAtFixedRate(
        () -> {
          try {
            stack.billing().transaction();
          } catch (Exception e) {
            say("billing generator: " + e.getMessage());
          }
        },
        0,
        1000 / BILLING_TRANSACTIONS_PER_SECOND,
        TimeUnit.MILLISECONDS);

    stack.awaitCronJobs(Duration.ofMinutes(2));
    List<String> cronJobs = stack.cronJobs();
    System.out.printf(
        """

        Local stack up in %d s, generating %d product events/s and %d billing transactions/s.
          export KUBECONFIG=%s
          kubectl get insighthub -n %s               # every resource, Ready and Fresh
          kubectl describe pipeline product-events -n %s   # per-table freshness
          kubectl get pods,deployments,cronjobs,jobs -n %s
          kubectl get kafkatopics,kafkaconnectors -n %s
        CronJobs fire on their schedules; to run one now:
          kubectl create job --from=cronjob/<name> <job-name> -n %s
          (CronJobs: %s)
        Every Pod runs as local processes on the node %s; its log (kubectl logs is not served):
          %s/<namespace>/<pod>/<container>.log   (each Pod's path is printed below as it runs)
        Warehouses (DuckDB; one writer at a time, so query a copy):
            %s
            %s
        Object store (SeaweedFS, S3 API): %s, its keys in Secret s3-ingest; seeded with
            %s
        Operator metrics: %s
        Other logs: %s (operator.log, kafka/, connect/, postgres/, s3/, kube-apiserver/)
        Press Ctrl-C to stop; nothing is left running.

        """,
        stack.uptimeSeconds(),
        EVENTS_PER_SECOND,
        BILLING_TRANSACTIONS_PER_SECOND,
        stack.api().kubeconfig(),
        NAMESPACE,
        NAMESPACE,
        NAMESPACE,
        NAMESPACE,
        NAMESPACE,
        cronJobs.isEmpty() ? "none yet" : String.join(", ", cronJobs),
        stack.node().name(),
        stack.node().podsDir(),
        stack.eventsWarehouse(),
        stack.billingWarehouse(),
        stack.s3().endpoint(),
        String.join("\n    ", stack.seededFiles()),
        stack.operatorMetricsUrl(),
        workDir);
    activity.set(new PodActivity(stack.api().client(), NAMESPACE, stack.node(), LocalStack::say));
    stopped.await();
  }

  private static void say(String line) {
    System.out.println("[local-stack] " + line);
  }
}
