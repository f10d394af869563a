package io.insighthub.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.insighthub.workers.files.archive.ArchiveCodec;
import io.insighthub.workers.files.archive.ArchiveLayout;
import io.insighthub.workers.files.archive.ArchiveRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The product-events scenario as a user drives it: the sample Pipeline and its QualityRules applied
 * with kubectl, the operator rendering topics, config and worker Deployments, the workers
 * (validate, aggregate, load, archive) running as processes, events produced to the raw topic; then
 * the warehouse compared with what was sent and the raw archive with the raw topic, across a
 * suspend and a resume.
 */
class ProductEventsScenarioIT {
  private static final String NS = Kubectl.NS;
  private static final Duration READY = Duration.ofMinutes(4);

  /** The product-events archive's prefix in its bucket. */
  private static final String ARCHIVE = "raw/" + NS + "/product-events/";

  private static InsightHubStack stack;
  private static Kubectl kubectl;

  @BeforeAll
  static void startStack() {
    stack = Kubectl.startStack("product-events", false);
    kubectl = Kubectl.on(stack);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void eventsReachTheWarehouseExactlyOnceAcrossSuspendAndResume() throws Exception {
    stack.applySamples(
        List.of("10-pipeline-product-events.yaml", "20-qualityrules-product-events.yaml"));
    awaitCondition("Ready", "True");

    try (EventGenerator events = new EventGenerator(stack.broker().bootstrapServers(), NS, 7);
        Admin admin = stack.broker().admin()) {
      events.send(3000, Instant.now());
      events.sendMalformed(20);
      awaitLoaded(admin);

      // The raw archive fills: every raw record in exactly one object.
      awaitArchived(admin);

      // Every table the Pipeline loads reports its freshness through the loader's watermarks,
      // and the archive through the archiver's.
      awaitCondition("FreshnessSLAMet", "True");
      assertThat(jsonpath("{.status.freshness[*].table}").split(" "))
          .hasSize(4)
          .contains(
              "VALIDATED.PRODUCT_EVENTS", "s3://" + InsightHubStack.ARCHIVE_BUCKET + "/" + ARCHIVE);
      assertThat(jsonpath("{.status.freshness[*].withinSla}")).isEqualTo("true true true true");
      assertThat(kubectl("describe", "pipeline", "product-events")).contains("PiiRetentionMet");
      assertThat(kubectl("describe", "pipeline", "product-events"))
          .contains("FreshnessSLAMet", "Worst Lag", "VALIDATED.PRODUCT_EVENTS");
      assertThat(kubectl("get", "insighthub"))
          .containsPattern("pipeline.data.insighthub.io/product-events\\s+True\\s+True");

      assertAlertsReadExposedMetrics();

      // Suspend: workers stop, nothing is deleted; events keep arriving in the raw topic.
      kubectl.suspend("pipeline", "product-events", true);
      awaitCondition("Ready", "False");
      assertThat(jsonpath("{.status.conditions[?(@.type==\"Ready\")].reason}"))
          .isEqualTo("Suspended");
      assertThat(jsonpath("{.status.conditions[?(@.type==\"FreshnessSLAMet\")].reason}"))
          .isEqualTo("Suspended");
      awaitWorkersStopped();
      assertThat(kubectl("get", "kafkatopics", "-o", "name")).contains("product-events");
      assertWarehouse(events.unique());
      events.send(2000, Instant.now());

      // Resume: the workers catch up from their stored offsets.
      kubectl.suspend("pipeline", "product-events", false);
      awaitCondition("Ready", "True");
      awaitLoaded(admin);
      awaitArchived(admin);
      kubectl.suspend("pipeline", "product-events", true);
      awaitWorkersStopped();
      assertWarehouse(events.unique());
    }
  }

  /**
   * Every metric the chart's PrometheusRules alert on is one the running operator or workers
   * expose, so a renamed metric cannot leave an alert silently watching nothing. Counters that
   * appear only with their first increment are named, with why they are absent here.
   */
  private static void assertAlertsReadExposedMetrics() throws Exception {
    String rules =
        stack
            .api()
            .helm(
                "template",
                "insighthub",
                Kubectl.repoRoot().resolve("charts/insighthub-operator").toString(),
                "--set",
                "monitoring.prometheusRules=true",
                "--show-only",
                "templates/prometheusrule.yaml")
            .orThrow()
            .stdout();
    Set<String> alerted = new TreeSet<>();
    Matcher names =
        Pattern.compile("\\b((?:insighthub|operator_sdk|kafka)_[a-z_]+)\\b").matcher(rules);
    while (names.find()) {
      alerted.add(names.group(1));
    }
    assertThat(alerted)
        .contains("insighthub_pipeline_freshness_seconds", "insighthub_validate_dlq_total");
    StringBuilder exposed = new StringBuilder(scrape(stack.operatorMetricsUrl()));
    for (String stage : List.of("validate", "aggregate", "load")) {
      int port = stack.metricsPort("product-events-" + stage).orElseThrow();
      exposed.append(scrape("http://127.0.0.1:" + port + "/metrics"));
    }
    // Created by the first failed reconcile; this run has none.
    Set<String> onFirstIncrement = Set.of("operator_sdk_reconciliations_failed_total");
    assertThat(alerted)
        .filteredOn(name -> !onFirstIncrement.contains(name))
        .allSatisfy(
            name ->
                assertThat(exposed.toString())
                    .as("metric %s of the chart's PrometheusRules", name)
                    .containsPattern("(?m)^" + name + "[{ ]"));
  }

  private static String scrape(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Rows, distinct ids, no raw PII, and the aggregates adding up to what was sent. */
  private static void assertWarehouse(long expected) throws SQLException {
    try (Connection duck =
            DriverManager.getConnection("jdbc:duckdb:" + stack.eventsWarehouse(), readOnly());
        Statement s = duck.createStatement()) {
      assertThat(single(s, "SELECT count(*) FROM VALIDATED.PRODUCT_EVENTS")).isEqualTo(expected);
      assertThat(single(s, "SELECT count(DISTINCT event_id) FROM VALIDATED.PRODUCT_EVENTS"))
          .isEqualTo(expected);
      assertThat(single(s, "SELECT count(*) FROM VALIDATED.PRODUCT_EVENTS WHERE email LIKE '%@%'"))
          .as("raw e-mail addresses in the warehouse")
          .isZero();
      assertThat(
              single(
                  s,
                  "SELECT coalesce(sum(events), 0) FROM CURATED.ACCOUNT_USAGE"
                      + " WHERE granularity = 'day'"))
          .isEqualTo(expected);
      assertThat(single(s, "SELECT coalesce(sum(event_count), 0) FROM CURATED.SESSIONS"))
          .isEqualTo(expected);
    }
  }

  private static java.util.Properties readOnly() {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("duckdb.read_only", "true");
    return p;
  }

  private static long single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Every record of the raw topic so far, by partition and offset, in exactly one object of the
   * archive (the objects' names and the positions their lines carry).
   */
  private static void awaitArchived(Admin admin) throws Exception {
    String raw = NS + ".product-events.raw";
    var partitions =
        admin.describeTopics(List.of(raw)).allTopicNames().get().get(raw).partitions().stream()
            .map(p -> new TopicPartition(raw, p.partition()))
            .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
    long records =
        admin.listOffsets(partitions).all().get().values().stream()
            .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset)
            .sum();
    await()
        .atMost(READY)
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> assertThat(archivedPositions()).doesNotHaveDuplicates().hasSize((int) records));
  }

  private static List<String> archivedPositions() {
    List<String> positions = new ArrayList<>();
    try (S3Client s3 = stack.s3().client()) {
      s3.listObjectsV2Paginator(b -> b.bucket(InsightHubStack.ARCHIVE_BUCKET).prefix(ARCHIVE))
          .contents()
          .forEach(
              object ->
                  ArchiveLayout.parse(ARCHIVE, object.key())
                      .ifPresent(
                          key -> {
                            byte[] bytes =
                                s3.getObjectAsBytes(
                                        b ->
                                            b.bucket(InsightHubStack.ARCHIVE_BUCKET)
                                                .key(object.key()))
                                    .asByteArray();
                            for (ArchiveRecord r : ArchiveCodec.records(key.format(), bytes)) {
                              positions.add(r.partition() + "@" + r.offset());
                            }
                          }));
    }
    return positions;
  }

  private static void awaitLoaded(Admin admin) throws Exception {
    Pipelines.awaitCaughtUp(
        admin,
        Pipelines.eventStages(NS, "product-events", List.of("sessions", "account-usage")),
        READY);
  }

  private static void awaitCondition(String type, String status) {
    await()
        .atMost(READY)
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> jsonpath("{.status.conditions[?(@.type==\"" + type + "\")].status}"),
            status::equals);
  }

  private static String jsonpath(String expression) {
    return kubectl("get", "pipeline", "product-events", "-o", "jsonpath=" + expression);
  }

  private static String kubectl(String... args) {
    return kubectl.run(args);
  }

  /**
   * Waits until no worker Pod is left: the node removes a Pod once its process has stopped, so the
   * loader has closed the warehouse file.
   */
  private static void awaitWorkersStopped() {
    await()
        .atMost(READY)
        .until(
            () ->
                kubectl(
                    "get",
                    "pods",
                    "-l",
                    "data.insighthub.io/pipeline=product-events",
                    "-o",
                    "name"),
            String::isBlank);
  }
}
