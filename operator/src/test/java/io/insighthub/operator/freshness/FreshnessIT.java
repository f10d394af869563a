package io.insighthub.operator.freshness;

import static io.insighthub.crds.CrdConstants.CONDITION_FRESHNESS_SLA_MET;
import static io.insighthub.crds.CrdConstants.CONDITION_STREAMING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.ObjectRef;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.ResourceStatus;
import io.insighthub.crds.v1alpha1.TableFreshness;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.runtime.InsightHubOperator;
import io.insighthub.operator.runtime.OperatorHttpServer;
import io.insighthub.operator.testing.Conflicts;
import io.insighthub.operator.testing.ReconcileCounter;
import io.insighthub.operator.testing.Samples;
import io.insighthub.operator.testing.StrimziEmulation;
import io.insighthub.operator.testing.TestClusters;
import io.insighthub.operator.testing.TestPipelines;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Freshness end to end inside the operator: watermarks published to the real {@code
 * insighthub.watermarks} topic on a real broker, the operator's consumer and event source, the
 * Pipeline and CdcSource reconcilers writing status on a real API server, and /metrics.
 */
@ExtendWith({KubeApiServerExtension.class, KafkaBrokerExtension.class})
class FreshnessIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Duration FLUSH = Duration.ofSeconds(1);
  static final long SLA_SECONDS = 8;
  static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());

  static KubernetesClient client;
  static String ns;
  static Operator operator;
  static OperatorHttpServer http;
  static KafkaProducer<String, byte[]> producer;
  static ReconcileCounter reconciles = new ReconcileCounter();

  @BeforeAll
  static void start(KubernetesClient kube, TestNamespace namespace, KafkaBroker broker)
      throws Exception {
    client = kube;
    ns = namespace.name();
    WatermarkTopic.ensure(broker);
    TestClusters.kafka(client, ns, "insighthub", false);
    GenericKubernetesResource connect = new GenericKubernetesResource();
    connect.setApiVersion("kafka.strimzi.io/v1");
    connect.setKind("KafkaConnect");
    connect.setMetadata(new ObjectMetaBuilder().withName("insighthub-connect").build());
    connect.setAdditionalProperty(
        "spec", Map.of("bootstrapServers", "insighthub-kafka-bootstrap:9092"));
    client.resource(connect).inNamespace(ns).create();
    secret(TestPipelines.SINK_SECRET, Map.of("url", "jdbc:duckdb:"));
    secret("snowflake-loader", Map.of("url", "jdbc:duckdb:"));
    secret("billing-db-debezium", Map.of("username", "debezium", "password", "not-a-password"));

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FreshnessTracking freshness = new FreshnessTracking(broker.bootstrapServers(), FLUSH, registry);
    OperatorConfig config =
        OperatorConfig.defaults().withKafkaCluster("insighthub").withWatchNamespaces(Set.of(ns));
    operator = InsightHubOperator.create(client, config, reconciles, Clock.systemUTC(), freshness);
    operator.start();
    http = OperatorHttpServer.start(0, () -> true, registry);
    producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close();
    }
    if (http != null) {
      http.close();
    }
    if (operator != null) {
      operator.stop();
    }
  }

  @Test
  void freshnessFollowsTheWatermarksStallsLagAndRecovery() throws Exception {
    String name = "clicks";
    Pipeline pipeline = TestPipelines.events(name, ns);
    TransformSpec sessions = new TransformSpec();
    sessions.name = "sessions";
    sessions.type = TransformSpec.Type.SESSIONIZE;
    pipeline.getSpec().transforms = List.of(sessions);
    pipeline.getSpec().freshness.streamingSla = SLA_SECONDS + "s";
    client.resource(pipeline).inNamespace(ns).create();
    String events = "VALIDATED.CLICKS";
    String sessionsTable = "CURATED.SESSIONS";

    Condition awaiting = awaitFreshness(name, "Unknown", "AwaitingFirstLoad");
    assertThat(awaiting.getMessage()).contains(events).contains(sessionsTable);

    // Both loaders commit a batch: the newest event is 2s old.
    publish(name, events, Duration.ofSeconds(2));
    publish(name, sessionsTable, Duration.ofSeconds(2));
    Condition fresh = awaitFreshness(name, "True", "WithinSla");
    Pipeline got = pipeline(name);
    assertThat(got.getStatus().freshness)
        .extracting(t -> t.table, t -> t.withinSla, t -> t.slaSeconds)
        .containsExactly(tuple(sessionsTable, true, SLA_SECONDS), tuple(events, true, SLA_SECONDS));
    assertThat(got.getStatus().freshness).allSatisfy(t -> assertThat(t.lastLoadTime).isNotNull());
    assertThat(got.getStatus().sla).isEqualTo(SLA_SECONDS + "s");
    assertThat(got.getStatus().worstLag).isNotNull();
    assertThat(fresh.getMessage()).contains("within SLA 8s");

    // Watermarks that change nothing visible (a loader re-publishing its last one) reconcile the
    // Pipeline, yet no status is written though every lag grew.
    String version = got.getMetadata().getResourceVersion();
    int reconciled = reconciles.finished(got);
    Watermark last = pipelineStore(name, events);
    for (int i = 0; i < 3; i++) {
      int before = reconciles.finished(got);
      send(last);
      await().atMost(WAIT).until(() -> reconciles.finished(got) > before);
    }
    await().atMost(WAIT).until(() -> reconciles.finished(got) >= reconciled + 2);
    System.out.printf(
        "freshness: %d reconciles while nothing visible changed, resourceVersion %s -> %s%n",
        reconciles.finished(got) - reconciled,
        version,
        pipeline(name).getMetadata().getResourceVersion());
    assertThat(pipeline(name).getMetadata().getResourceVersion()).isEqualTo(version);

    // The events loader stops: no watermark arrives, yet the condition turns False in time.
    Instant lastLoad = last.loadTime();
    Thread sessionsLoader = keepLoading(name, sessionsTable);
    Condition stalled;
    try {
      stalled = awaitFreshness(name, "False", FreshnessEvaluator.REASON_LOADER_STALLED);
      Duration detected = Duration.between(lastLoad, Instant.now());
      System.out.printf(
          "freshness: stalled loader reported %.1fs after its last load (SLA %ds, flush %s)%n",
          detected.toMillis() / 1000.0, SLA_SECONDS, FLUSH);
      assertThat(detected).isLessThan(Duration.ofSeconds(SLA_SECONDS).plus(FLUSH).plusSeconds(4));
      assertThat(stalled.getMessage())
          .startsWith(events + ": last load")
          .doesNotContain("SESSIONS");
      TableFreshness stalledTable = table(pipeline(name), events);
      assertThat(stalledTable.withinSla).isFalse();

      // It comes back: True again, with a new transition time.
      publish(name, events, Duration.ofSeconds(1));
      Condition recovered = awaitFreshness(name, "True", "WithinSla");
      assertThat(Instant.parse(recovered.getLastTransitionTime()))
          .isAfter(Instant.parse(fresh.getLastTransitionTime()));

      // A load whose newest event is older than the SLA: the loader runs, the data is late.
      publish(name, events, Duration.ofSeconds(SLA_SECONDS * 4));
      Condition late = awaitFreshness(name, "False", FreshnessEvaluator.REASON_LAG_EXCEEDS_SLA);
      assertThat(late.getMessage()).startsWith(events + ": lag").contains("exceeds SLA 8s");
      assertThat(pipeline(name).getStatus().worstLag).isNotNull();
    } finally {
      sessionsLoader.interrupt();
      sessionsLoader.join();
    }

    // The gauges on the operator's endpoint, and gone with the Pipeline.
    String series = "{namespace=\"" + ns + "\",pipeline=\"" + name + "\",table=\"" + events + "\"}";
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(scrape())
                    .contains("insighthub_pipeline_freshness_seconds" + series)
                    .contains("insighthub_pipeline_sla_seconds" + series + " 8.0"));
    client.resources(Pipeline.class).inNamespace(ns).withName(name).delete();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(scrape()).doesNotContain("pipeline=\"" + name + "\""));
  }

  @Test
  void aSuspendedPipelineSaysSuspendedAndIsAwaitedAgainAfterResuming() throws Exception {
    String name = "paused";
    Pipeline pipeline = TestPipelines.events(name, ns);
    pipeline.getSpec().freshness.streamingSla = SLA_SECONDS + "s";
    client.resource(pipeline).inNamespace(ns).create();
    publish(name, "VALIDATED.PAUSED", Duration.ofSeconds(1));
    awaitFreshness(name, "True", "WithinSla");

    setSuspend(name, true);
    Condition suspended = awaitFreshness(name, "Unknown", "Suspended");
    assertThat(suspended.getMessage()).contains("spec.suspend is true");
    // Longer than the SLA: still no false alarm.
    await()
        .during(Duration.ofSeconds(SLA_SECONDS + 2))
        .atMost(Duration.ofSeconds(SLA_SECONDS + 30))
        .until(() -> condition(name).getReason(), "Suspended"::equals);
    assertThat(condition(name).getReason()).isEqualTo("Suspended");

    // Resumed: the load from before the suspension does not count; the loader gets one SLA.
    setSuspend(name, false);
    awaitFreshness(name, "Unknown", "AwaitingFirstLoad");
    publish(name, "VALIDATED.PAUSED", Duration.ofSeconds(1));
    awaitFreshness(name, "True", "WithinSla");
  }

  @Test
  void cdcLoadWatermarksDriveTheCdcSourceStreamingAndItsPipelinesFreshness() throws Exception {
    CdcSource source = Samples.cdcSource("billing-db");
    source.getMetadata().setNamespace(ns);
    client.resource(source).inNamespace(ns).create();
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.resources(KafkaConnector.class).inNamespace(ns).withName("billing-db").get()
                    != null);
    new StrimziEmulation(client, ns).connectorReady("billing-db", "RUNNING");
    Pipeline billing = Samples.pipeline("billing");
    billing.getMetadata().setNamespace(ns);
    billing.getSpec().transforms = List.of();
    billing.getSpec().freshness.streamingSla = "1m";
    client.resource(billing).inNamespace(ns).create();

    Condition waiting =
        await()
            .atMost(WAIT)
            .until(
                () -> cdcCondition("billing-db"),
                c -> c != null && "AwaitingFirstLoad".equals(c.getReason()));
    assertThat(waiting.getStatus()).isEqualTo("Unknown");
    assertThat(waiting.getMessage()).contains("VALIDATED.ACCOUNTS", "VALIDATED.INVOICES");

    // cdc-load publishes under the CdcSource's name, per warehouse table.
    Instant commit = Instant.now().minusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
    for (String table :
        List.of("VALIDATED.ACCOUNTS", "VALIDATED.SUBSCRIPTIONS", "VALIDATED.INVOICES")) {
      send(new Watermark(ns, "billing-db", table, commit, Instant.now(), 5, 0));
    }
    Condition streaming =
        await()
            .atMost(WAIT)
            .until(
                () -> cdcCondition("billing-db"),
                c -> c != null && Conditions.TRUE.equals(c.getStatus()));
    assertThat(streaming.getReason()).isEqualTo(StreamingEvaluator.REASON_CHANGES_LOADED);
    assertThat(cdcSource("billing-db").getStatus().lastEventTime).isEqualTo(commit.toString());

    awaitFreshness("billing", "True", "WithinSla");
    assertThat(pipeline("billing").getStatus().freshness)
        .extracting(t -> t.table)
        .containsExactly("VALIDATED.ACCOUNTS", "VALIDATED.INVOICES", "VALIDATED.SUBSCRIPTIONS");
    assertThat(pipeline("billing").getStatus().sla).isEqualTo("1m");
  }

  @Test
  void aQuietCdcSourceStaysFreshWhileCdcLoadProvesItsTablesCompleteThenLateWhenProofsStop()
      throws Exception {
    CdcSource source = Samples.cdcSource("billing-db");
    source.getMetadata().setName("quiet-db");
    source.getMetadata().setNamespace(ns);
    source.getSpec().slotName = "quiet_slot";
    source.getSpec().publicationName = "quiet_pub";
    client.resource(source).inNamespace(ns).create();
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.resources(KafkaConnector.class).inNamespace(ns).withName("quiet-db").get()
                    != null);
    new StrimziEmulation(client, ns).connectorReady("quiet-db", "RUNNING");
    Pipeline billing = Samples.pipeline("billing");
    billing.getMetadata().setName("quiet-billing");
    billing.getMetadata().setNamespace(ns);
    billing.getSpec().transforms = List.of();
    billing.getSpec().source.cdc.sourceRef = new ObjectRef("quiet-db");
    billing.getSpec().freshness.streamingSla = SLA_SECONDS + "s";
    client.resource(billing).inNamespace(ns).create();

    // No change in the source for an hour; cdc-load proves its tables complete every second, as
    // it does for each connector heartbeat.
    List<String> tables = FreshnessTables.of(source);
    Instant lastChange = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    ScheduledExecutorService prover = keepProving("quiet-db", tables, lastChange);
    Instant lastProof;
    try {
      awaitFreshness("quiet-billing", "True", "WithinSla");
      // It stays True for twice the SLA although every newest change is an hour old.
      ThrowingRunnable stillTrue =
          () -> assertThat(condition("quiet-billing").getStatus()).isEqualTo("True");
      await()
          .during(Duration.ofSeconds(2 * SLA_SECONDS))
          .atMost(Duration.ofSeconds(2 * SLA_SECONDS + 5))
          .pollInterval(Duration.ofMillis(500))
          .failFast(stillTrue)
          // The check runs at every poll and fails the test at once; nothing else is awaited.
          .until(() -> true);
      for (String table : tables) {
        TableFreshness status = table(pipeline("quiet-billing"), table);
        assertThat(status.maxEventTime).as(table).isEqualTo(lastChange.toString());
        assertThat(status.completeAsOf).as(table).isNotNull();
        assertThat(status.lagSeconds).as(table).isLessThanOrEqualTo(SLA_SECONDS);
        assertThat(status.withinSla).as(table).isTrue();
      }
      Condition streaming =
          await()
              .atMost(WAIT)
              .until(
                  () -> cdcCondition("quiet-db"),
                  c -> c != null && Conditions.TRUE.equals(c.getStatus()));
      assertThat(streaming.getReason()).isEqualTo(StreamingEvaluator.REASON_CHANGES_LOADED);
      assertThat(streaming.getMessage()).contains("proved its tables complete");
      assertThat(cdcSource("quiet-db").getStatus().lastEventTime).isEqualTo(lastChange.toString());
    } finally {
      prover.shutdownNow();
      assertThat(prover.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      lastProof = Instant.now();
    }

    // The proofs stop (connector or loader down): the quiet tables turn late within the SLA.
    Condition stalled =
        awaitFreshness("quiet-billing", "False", FreshnessEvaluator.REASON_LOADER_STALLED);
    Duration detected = Duration.between(lastProof, Instant.now());
    System.out.printf(
        "freshness: quiet CDC tables reported late %.1fs after the last proof (SLA %ds)%n",
        detected.toMillis() / 1000.0, SLA_SECONDS);
    assertThat(detected).isLessThan(Duration.ofSeconds(SLA_SECONDS).plus(FLUSH).plusSeconds(4));
    assertThat(stalled.getMessage()).contains(tables.getFirst() + ": last load");
  }

  /** cdc-load proving quiet tables complete every second (a heartbeat each) until shut down. */
  static ScheduledExecutorService keepProving(
      String source, List<String> tables, Instant lastChange) {
    ScheduledExecutorService prover = Executors.newSingleThreadScheduledExecutor();
    prover.scheduleAtFixedRate(
        () -> {
          Instant now = Instant.now();
          for (String table : tables) {
            try {
              send(
                  new Watermark(
                      ns, source, table, lastChange, now, 0, 0, null, now.minusSeconds(3)));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        },
        0,
        1,
        TimeUnit.SECONDS);
    return prover;
  }

  // --- helpers

  static void publish(String pipeline, String table, Duration eventAge) throws Exception {
    Instant now = Instant.now();
    send(new Watermark(ns, pipeline, table, now.minus(eventAge), now, 100, 0));
  }

  static void send(Watermark mark) throws Exception {
    producer
        .send(
            new ProducerRecord<>(
                WorkerConfig.WATERMARK_TOPIC, mark.key(), JSON.writeValueAsBytes(mark)))
        .get();
  }

  /** A loader committing a batch every second until interrupted. */
  static Thread keepLoading(String pipeline, String table) {
    Thread thread =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  publish(pipeline, table, Duration.ofSeconds(1));
                  Thread.sleep(1000);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            "loader-" + table);
    thread.start();
    return thread;
  }

  /** The watermark as the status shows it was last loaded, rebuilt to re-publish unchanged. */
  static Watermark pipelineStore(String pipeline, String table) {
    TableFreshness t = table(pipeline(pipeline), table);
    return new Watermark(
        ns,
        pipeline,
        table,
        Instant.parse(t.maxEventTime),
        Instant.parse(t.lastLoadTime),
        t.rowsLastInterval,
        0);
  }

  static TableFreshness table(Pipeline pipeline, String table) {
    return pipeline.getStatus().freshness.stream()
        .filter(t -> t.table.equals(table))
        .findFirst()
        .orElseThrow();
  }

  static String scrape() throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
              HttpRequest.newBuilder(
                      URI.create("http://localhost:" + FreshnessIT.http.port() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    }
  }

  static Pipeline pipeline(String name) {
    return client.resources(Pipeline.class).inNamespace(ns).withName(name).get();
  }

  static CdcSource cdcSource(String name) {
    return client.resources(CdcSource.class).inNamespace(ns).withName(name).get();
  }

  static Condition condition(String name) {
    return conditionOf(pipeline(name), CONDITION_FRESHNESS_SLA_MET);
  }

  static Condition cdcCondition(String name) {
    return conditionOf(cdcSource(name), CONDITION_STREAMING);
  }

  static Condition conditionOf(CustomResource<?, ?> resource, String type) {
    if (resource == null || resource.getStatus() == null) {
      return null;
    }
    var status = (ResourceStatus) resource.getStatus();
    return Conditions.find(status.conditions, type).orElse(null);
  }

  static Condition awaitFreshness(String name, String status, String reason) {
    return await()
        .atMost(WAIT)
        .until(
            () -> condition(name),
            c -> c != null && status.equals(c.getStatus()) && reason.equals(c.getReason()));
  }

  static void setSuspend(String name, boolean suspend) {
    Conflicts.edit(
        client.resources(Pipeline.class).inNamespace(ns).withName(name),
        p -> p.getSpec().suspend = suspend);
  }

  static void secret(String name, Map<String, String> data) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withStringData(data)
                .build())
        .create();
  }
}
