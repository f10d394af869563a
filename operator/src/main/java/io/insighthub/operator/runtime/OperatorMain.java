package io.insighthub.operator.runtime;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.freshness.FreshnessTracking;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator: configuration from the environment, the reconcilers, JOSDK's Micrometer
 * metrics on /metrics, health endpoints, and a graceful stop on SIGTERM.
 */
public final class OperatorMain {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    OperatorConfig config = OperatorConfig.fromEnv(System.getenv());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    // Per-resource meters would tag by resource name, an unbounded label: counts per kind only.
    MicrometerMetrics metrics = MicrometerMetrics.withoutPerResourceMetrics(registry);

    // Watermarks of every Pipeline's tables: status.freshness, FreshnessSLAMet and the gauges.
    FreshnessTracking freshness = FreshnessTracking.fromEnv(System.getenv(), registry);

    // The client's default of 5 requests in flight to the API server (and 64 overall) throttles the
    // reconcile threads; every reconcile thread may have one request in flight, informers watch.
    Config clientConfig =
        new ConfigBuilder(Config.autoConfigure(null))
            .withMaxConcurrentRequests(Math.max(64, 2 * config.reconcileThreads()))
            .withMaxConcurrentRequestsPerHost(Math.max(64, 2 * config.reconcileThreads()))
            .build();
    ApiRequestMetrics requests = new ApiRequestMetrics(registry);
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(clientConfig)
            .withHttpClientBuilderConsumer(
                builder -> builder.addOrReplaceInterceptor("insighthub-request-metrics", requests))
            .build();
    AtomicBoolean stopping = new AtomicBoolean();
    Operator operator =
        InsightHubOperator.create(
            client,
            config,
            metrics,
            Clock.systemUTC(),
            () -> {
              if (!stopping.get()) {
                LOG.error("Lost the leader Lease to another replica; exiting");
                new Thread(() -> System.exit(1), "exit").start();
              }
            },
            freshness);
    OperatorHttpServer http =
        OperatorHttpServer.start(
            config.httpPort(),
            () ->
                operator.getRuntimeInfo().isStarted()
                    && operator.getRuntimeInfo().allEventSourcesAreHealthy(),
            registry);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.set(true);
                  LOG.info("Stopping: finishing reconciles in flight");
                  try {
                    operator.stop();
                  } finally {
                    http.close();
                    client.close();
                    stopped.countDown();
                  }
                },
                "shutdown"));
    LOG.info(
        "Starting InsightHub operator: namespaces {}, default Kafka cluster {}, leader election {},"
            + " HTTP port {}, freshness {}",
        config.watchNamespaces().isEmpty() ? "all" : config.watchNamespaces(),
        config.kafkaCluster(),
        config.leaderElection(),
        http.port(),
        freshness.enabled()
            ? "every " + freshness.interval()
            : "not tracked (no bootstrap servers)");
    operator.start();
    stopped.await();
  }
}
