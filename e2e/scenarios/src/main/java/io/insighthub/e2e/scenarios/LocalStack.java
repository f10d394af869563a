package io.insighthub.e2e.scenarios;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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
    EventGenerator events =
        new EventGenerator(stack.broker().bootstrapServers(), NAMESPACE, System.nanoTime());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  say("stopping (workers, operator, Connect, PostgreSQL, Kafka, API server)");
                  generators.shutdownNow();
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
    stack.awaitTopicsReady("product-events", java.time.Duration.ofMinutes(3));
    generators.scheduleAtFixedRate(
        () -> {
          try {
            events.send(EVENTS_PER_SECOND, Instant.now());
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

    System.out.printf(
        """

        Local stack up in %d s, generating %d product events/s and %d billing transactions/s.
          export KUBECONFIG=%s
          kubectl get insighthub -n %s               # every resource, Ready and Fresh
          kubectl describe pipeline product-events -n %s   # per-table freshness
          kubectl get deployments,kafkatopics,kafkaconnectors -n %s
          warehouses (DuckDB; one writer at a time, so query a copy):
            %s
            %s
          operator metrics: %s
          logs: %s (operator.log, pods/<namespace>/<deployment>/replica-N/log, kafka/, connect/, postgres/)
        Press Ctrl-C to stop; nothing is left running.
        """,
        stack.uptimeSeconds(),
        EVENTS_PER_SECOND,
        BILLING_TRANSACTIONS_PER_SECOND,
        stack.api().kubeconfig(),
        NAMESPACE,
        NAMESPACE,
        NAMESPACE,
        stack.eventsWarehouse(),
        stack.billingWarehouse(),
        stack.operatorMetricsUrl(),
        workDir);
    stopped.await();
  }

  private static void say(String line) {
    System.out.println("[local-stack] " + line);
  }
}
