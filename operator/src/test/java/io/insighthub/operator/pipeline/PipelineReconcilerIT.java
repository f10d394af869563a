package io.insighthub.operator.pipeline;

import static io.insighthub.crds.CrdConstants.CONDITION_READY;
import static io.insighthub.crds.CrdConstants.CONDITION_TOPICS_READY;
import static io.insighthub.crds.CrdConstants.CONDITION_TRANSFORMS_SCHEDULED;
import static io.insighthub.crds.CrdConstants.CONDITION_WORKERS_READY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.CdcPipelineSource;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.crds.v1alpha1.KafkaSpec;
import io.insighthub.crds.v1alpha1.LateArrivalCheck;
import io.insighthub.crds.v1alpha1.ObjectRef;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.PipelineSource;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.runtime.InsightHubOperator;
import io.insighthub.operator.testing.Conflicts;
import io.insighthub.operator.testing.KubeletEmulation;
import io.insighthub.operator.testing.ReconcileCounter;
import io.insighthub.operator.testing.Samples;
import io.insighthub.operator.testing.StrimziEmulation;
import io.insighthub.operator.testing.Subset;
import io.insighthub.operator.testing.TestClusters;
import io.insighthub.operator.testing.TestPipelines;
import io.javaoperatorsdk.operator.Operator;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Pipeline reconciler in-process against a real API server, Strimzi and kubelet emulated. */
@ExtendWith(KubeApiServerExtension.class)
class PipelineReconcilerIT {
  static final String CLUSTER = "insighthub";
  static final Duration WAIT = Duration.ofSeconds(60);

  static Operator operator;
  static ReconcileCounter reconciles = new ReconcileCounter();
  static KubernetesClient client;
  static String ns;
  static StrimziEmulation strimzi;
  static KubeletEmulation kubelet;

  @BeforeAll
  static void startOperator(KubernetesClient kube, TestNamespace namespace) {
    client = kube;
    ns = namespace.name();
    strimzi = new StrimziEmulation(client, ns);
    kubelet = new KubeletEmulation(client, ns);
    kafkaCluster(CLUSTER);
    for (String secret :
        List.of(
            TestPipelines.SINK_SECRET,
            "snowflake-loader",
            "s3-ingest",
            "s3-archive",
            "billing-db-debezium")) {
      secret(secret, "url");
    }
    secret("pii-hmac-key", "hmac-key");
    OperatorConfig config =
        OperatorConfig.defaults().withKafkaCluster(CLUSTER).withWatchNamespaces(Set.of(ns));
    operator = InsightHubOperator.create(client, config, reconciles, Clock.systemUTC());
    operator.start();
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.stop();
    }
  }

  @Test
  void everySampleCreatesExactlyTheChildrenOfItsGoldenFile() {
    for (GenericKubernetesResource sample : Samples.all()) {
      client.resource(sample).inNamespace(ns).create();
    }
    List<String> names = Samples.pipelineNames();
    await()
        .atMost(WAIT)
        .until(() -> names.stream().allMatch(n -> strimzi.topics(n).size() == topicCount(n)));
    names.forEach(strimzi::topicsReady);

    for (String name : names) {
      Pipeline pipeline = pipeline(name);
      List<HasMetadata> expected = expectedChildren(pipeline);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(kindsAndNames(children(name))).isEqualTo(kindsAndNames(expected)));
      Map<String, HasMetadata> actual = byKindAndName(children(name));
      for (HasMetadata want : expected) {
        HasMetadata got = actual.get(kindAndName(want));
        Subset.assertContains(got, want);
        assertThat(got.getMetadata().getOwnerReferences())
            .singleElement()
            .satisfies(
                ref -> {
                  assertThat(ref.getKind()).isEqualTo("Pipeline");
                  assertThat(ref.getUid()).isEqualTo(pipeline.getMetadata().getUid());
                  assertThat(ref.getController()).isTrue();
                });
        assertThat(got.getMetadata().getManagedFields())
            .as("field managers of %s", kindAndName(got))
            .extracting(f -> f.getManager() + ":" + f.getOperation() + ":" + f.getSubresource())
            .contains(OperatorConfig.FIELD_MANAGER + ":Apply:null");
      }
    }
  }

  @Test
  void aResyncThatChangesNothingWritesNothing() {
    String name = "noop";
    create(TestPipelines.eventsWithTransforms(name, ns));
    client.resource(lateRule(name + "-late", name, "30m")).create();
    await().atMost(WAIT).until(() -> strimzi.topics(name).size() == topicCount(name));
    strimzi.topicsReady(name);
    await().atMost(WAIT).until(() -> kubelet.deployments(name).size() == 3);
    kubelet.workersAvailable(name);
    awaitCondition(name, CONDITION_READY, "True", "AllReady");
    Map<String, String> settled =
        await()
            .atMost(WAIT)
            .during(Duration.ofSeconds(2))
            .until(() -> resourceVersions(name), v -> true);
    Map<String, String> before = resourceVersions(name);
    int reconciled = reconciles.finished(pipeline(name));

    // Any change to a rule that points to the Pipeline triggers it; a label changes no output.
    Conflicts.edit(
        client.resources(QualityRule.class).inNamespace(ns).withName(name + "-late"),
        r -> r.getMetadata().setLabels(Map.of("touched", "yes")));
    await().atMost(WAIT).until(() -> reconciles.finished(pipeline(name)) > reconciled);

    assertThat(before).isEqualTo(settled);
    assertThat(resourceVersions(name)).isEqualTo(before);
  }

  @Test
  void aSpecChangeUpdatesTheChildrenAndRollsTheConfigHash() {
    String name = "change";
    create(TestPipelines.eventsWithTransforms(name, ns));
    await().atMost(WAIT).until(() -> strimzi.topics(name).size() == topicCount(name));
    strimzi.topicsReady(name);
    await().atMost(WAIT).until(() -> kubelet.deployments(name).size() == 3);
    String hashBefore = podConfigHash(name + "-validate");

    Conflicts.edit(
        client.resources(Pipeline.class).inNamespace(ns).withName(name),
        p -> {
          p.getSpec().layers.validated.retentionDays = 90;
          p.getSpec().source.events.fields = new ArrayList<>(p.getSpec().source.events.fields);
          p.getSpec()
              .source
              .events
              .fields
              .add(new EventField("country", EventField.Type.STRING, false));
        });

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(topic(name + ".validated").getSpec().getConfig())
                  .containsEntry("retention.ms", 90L * 24 * 3600 * 1000);
              assertThat(configJson(name)).contains("\"country\"");
              assertThat(podConfigHash(name + "-validate")).isNotEqualTo(hashBefore);
              assertThat(podConfigHash(name + "-load"))
                  .isEqualTo(podConfigHash(name + "-validate"));
            });
  }

  @Test
  void stateStorageSizesTheValidatePodsDiskAsStoredAndRemovingItRemovesTheBound() {
    String name = "disk";
    Pipeline spilling = TestPipelines.events(name, ns);
    spilling.getSpec().workers.validate.stateStorage = "1.5Gi";
    create(spilling);
    await().atMost(WAIT).until(() -> strimzi.topics(name).size() == topicCount(name));
    strimzi.topicsReady(name);
    await().atMost(WAIT).until(() -> kubelet.deployments(name).size() == 2);
    kubelet.workersAvailable(name);
    awaitCondition(name, CONDITION_READY, "True", "AllReady");

    var pod = deployment(name + "-validate").getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("state"))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir().getSizeLimit()).hasToString("1536Mi"));
    var container = pod.getContainers().getFirst();
    assertThat(container.getResources().getRequests().get("ephemeral-storage"))
        .hasToString("1536Mi");
    // 1.5 GiB x 0.9 / 70 bytes per id
    assertThat(container.getEnv())
        .filteredOn(e -> e.getName().equals(WorkerConfig.MAX_SPILLED_DEDUP_IDS_ENV))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("20707878"));

    // The server stores 1.5Gi as 1536Mi. Rendered so, the stored Deployment holds exactly what
    // the operator renders, and the matcher finds nothing to apply again.
    Subset.assertContains(
        deployment(name + "-validate"),
        expectedChildren(pipeline(name)).stream()
            .filter(c -> c.getMetadata().getName().equals(name + "-validate"))
            .findFirst()
            .orElseThrow());

    Conflicts.edit(
        client.resources(Pipeline.class).inNamespace(ns).withName(name),
        p -> p.getSpec().workers.validate.stateStorage = null);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              var now = deployment(name + "-validate").getSpec().getTemplate().getSpec();
              assertThat(now.getVolumes())
                  .filteredOn(v -> v.getName().equals("state"))
                  .singleElement()
                  .satisfies(v -> assertThat(v.getEmptyDir().getSizeLimit()).isNull());
              assertThat(now.getContainers().getFirst().getResources().getRequests())
                  .doesNotContainKey("ephemeral-storage");
              assertThat(now.getContainers().getFirst().getEnv())
                  .extracting(e -> e.getName())
                  .containsExactly(WorkerConfig.STATE_DIR_ENV);
            });
  }

  @Test
  void aChildChangedByHandIsRevertedByTheNextReconcile() {
    String name = "by-hand";
    create(TestPipelines.events(name, ns));
    await().atMost(WAIT).until(() -> strimzi.topics(name).size() == topicCount(name));
    strimzi.topicsReady(name);
    await().atMost(WAIT).until(() -> kubelet.deployments(name).size() == 2);
    kubelet.workersAvailable(name);
    awaitCondition(name, CONDITION_READY, "True", "AllReady");
    KafkaTopic validated = topic(name + ".validated");
    Object retention = validated.getSpec().getConfig().get("retention.ms");
    String configBefore = configJson(name);

    // Someone edits the children directly: a topic's retention (a spec change), a managed label
    // of a Deployment (metadata only) and the worker config's JSON (a ConfigMap: no generation).
    Conflicts.edit(
        client
            .resources(KafkaTopic.class)
            .inNamespace(ns)
            .withName(validated.getMetadata().getName()),
        t -> {
          t.getSpec().getConfig().put("retention.ms", 1000L);
        });
    Conflicts.edit(
        client.apps().deployments().inNamespace(ns).withName(name + "-validate"),
        d -> d.getMetadata().getLabels().put(CrdConstants.LABEL_PIPELINE, "someone-else"));
    Conflicts.edit(
        client.configMaps().inNamespace(ns).withName(name + "-worker-config"),
        c -> c.getData().replaceAll((k, v) -> "{}"));

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(topic(name + ".validated").getSpec().getConfig())
                  .containsEntry("retention.ms", retention);
              assertThat(
                      client
                          .apps()
                          .deployments()
                          .inNamespace(ns)
                          .withName(name + "-validate")
                          .get()
                          .getMetadata()
                          .getLabels())
                  .containsEntry(CrdConstants.LABEL_PIPELINE, name);
              assertThat(configJson(name)).isEqualTo(configBefore);
            });
  }

  @Test
  void statusFollowsStrimziAndDeploymentAvailability() {
    String name = "health";
    create(TestPipelines.events(name, ns));
    await().atMost(WAIT).until(() -> strimzi.topics(name).size() == topicCount(name));
    awaitCondition(name, CONDITION_TOPICS_READY, "False", "TopicPending");

    strimzi.topicsReady(name);
    strimzi.topicFailed(
        ns + "." + name + ".raw", "KafkaError", "Invalid replication factor: 3 > 1 brokers");
    Condition failed = awaitCondition(name, CONDITION_TOPICS_READY, "False", "TopicNotReady");
    assertThat(failed.getMessage())
        .isEqualTo(
            "KafkaTopic "
                + ns
                + "."
                + name
                + ".raw: Strimzi reports 'Invalid replication factor: 3 > 1 brokers'");
    awaitCondition(name, CONDITION_READY, "False", "TopicNotReady");
    assertThat(warningEvents(name)).anyMatch(m -> m.contains("Invalid replication factor"));

    strimzi.topicsReady(name);
    Condition topicsReady = awaitCondition(name, CONDITION_TOPICS_READY, "True", "TopicsReady");
    await().atMost(WAIT).until(() -> kubelet.deployments(name).size() == 2);
    // The Deployment controller reports the new Deployments at once: no Pod is ready yet.
    Condition pending =
        awaitCondition(name, CONDITION_WORKERS_READY, "False", "WorkersUnavailable");
    assertThat(pending.getMessage()).contains("0/1 replicas available");

    kubelet.workersAvailable(name);
    awaitCondition(name, CONDITION_WORKERS_READY, "True", "WorkersAvailable");
    awaitCondition(name, CONDITION_READY, "True", "AllReady");
    assertThat(condition(name, CONDITION_TOPICS_READY).getLastTransitionTime())
        .as("unchanged while TopicsReady stayed True")
        .isEqualTo(topicsReady.getLastTransitionTime());
    assertThat(pipeline(name).getStatus().observedGeneration)
        .isEqualTo(pipeline(name).getMetadata().getGeneration());
  }

  @Test
  void deletingAPipelineLetsTheGarbageCollectorRemoveItsChildrenAndTheirPods() {
    String name = "deleted";
    create(TestPipelines.eventsWithTransforms(name, ns));
    await().atMost(WAIT).until(() -> strimzi.topics(name).size() == topicCount(name));
    strimzi.topicsReady(name);
    // validate, aggregate (sessionize) and load
    await().atMost(WAIT).until(() -> kubelet.deployments(name).size() == 3);
    kubelet.workersAvailable(name);
    awaitCondition(name, CONDITION_WORKERS_READY, "True", "WorkersAvailable");
    assertThat(children(name)).extracting(HasMetadata::getKind).contains("CronJob");

    client.resources(Pipeline.class).inNamespace(ns).withName(name).delete();
    String selector = CrdConstants.LABEL_PIPELINE + "=" + name;
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(children(name))
                  .as("KafkaTopics, ConfigMap, Deployments, CronJobs")
                  .isEmpty();
              assertThat(
                      client
                          .apps()
                          .replicaSets()
                          .inNamespace(ns)
                          .withLabelSelector(selector)
                          .list()
                          .getItems())
                  .isEmpty();
              assertThat(
                      client.pods().inNamespace(ns).withLabelSelector(selector).list().getItems())
                  .as("the ReplicaSets' Pods, collected in turn")
                  .isEmpty();
            });
  }

  @Test
  void aMissingSecretIsReportedNotRetriedInALoop() {
    String name = "nosecret";
    Pipeline pipeline = TestPipelines.events(name, ns);
    pipeline.getSpec().sink.connectionSecretRef.name = "does-not-exist";
    create(pipeline);

    Condition ready = awaitCondition(name, CONDITION_READY, "False", "SecretNotFound");
    assertThat(ready.getMessage())
        .isEqualTo(
            "Secret does-not-exist (spec.sink.connectionSecretRef) does not exist in namespace "
                + ns);
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(warningEvents(name)).contains(ready.getMessage()));
    assertThat(strimzi.topics(name)).isEmpty();
    assertThat(reconciles.finished(pipeline(name))).isLessThan(5);
  }

  @Test
  void aMissingKafkaClusterIsReported() {
    String name = "nocluster";
    Pipeline pipeline = TestPipelines.events(name, ns);
    pipeline.getSpec().kafka = new KafkaSpec();
    pipeline.getSpec().kafka.cluster = "elsewhere";
    create(pipeline);

    Condition ready = awaitCondition(name, CONDITION_READY, "False", "KafkaClusterNotFound");
    assertThat(ready.getMessage()).startsWith("Kafka cluster elsewhere (spec.kafka.cluster)");
  }

  @Test
  void aMissingCdcSourceIsReported() {
    String name = "nocdc";
    Pipeline pipeline = TestPipelines.events(name, ns);
    pipeline.getSpec().source = new PipelineSource();
    pipeline.getSpec().source.cdc = new CdcPipelineSource();
    pipeline.getSpec().source.cdc.sourceRef = new ObjectRef("billing-db-v2");
    create(pipeline);

    Condition ready = awaitCondition(name, CONDITION_READY, "False", "CdcSourceNotFound");
    assertThat(ready.getMessage())
        .isEqualTo(
            "CdcSource billing-db-v2 (spec.source.cdc.sourceRef) does not exist in namespace "
                + ns);
  }

  /** Issue 3: the condition is set, then clears by itself once the Secret exists. */
  @Test
  void aSecretCreatedAfterThePipelineClearsTheConditionByItself() {
    String name = "latesecret";
    Pipeline pipeline = TestPipelines.events(name, ns);
    pipeline.getSpec().sink.connectionSecretRef.name = "late-warehouse";
    create(pipeline);
    awaitCondition(name, CONDITION_READY, "False", "SecretNotFound");

    secret("late-warehouse", "url");
    long created = System.nanoTime();
    // Not watched (the operator may only get Secrets by name): found by the short recheck, well
    // before the one-minute recheck of before.
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> strimzi.topics(name).size() == topicCount(name));
    System.out.printf(
        "Secret created -> Pipeline rendered in %d ms%n",
        (System.nanoTime() - created) / 1_000_000);
    awaitCondition(name, CONDITION_READY, "False", "TopicPending");
    strimzi.topicsReady(name);
    await().atMost(WAIT).until(() -> kubelet.deployments(name).size() == 2);
    kubelet.workersAvailable(name);
    awaitCondition(name, CONDITION_READY, "True", "AllReady");
  }

  /** A CdcSource is watched: the Pipeline waiting for it is triggered when it is created. */
  @Test
  void aCdcSourceCreatedAfterThePipelineClearsTheConditionByItself() {
    String name = "latecdc";
    Pipeline pipeline = TestPipelines.events(name, ns);
    pipeline.getSpec().source = new PipelineSource();
    pipeline.getSpec().source.cdc = new CdcPipelineSource();
    pipeline.getSpec().source.cdc.sourceRef = new ObjectRef("late-db");
    create(pipeline);
    awaitCondition(name, CONDITION_READY, "False", "CdcSourceNotFound");
    int notFoundReconciles = reconciles.finished(pipeline(name));

    CdcSource source = Samples.cdcSource("billing-db");
    source.getMetadata().setName("late-db");
    source.getSpec().slotName = "late_db";
    client.resource(source).inNamespace(ns).create();
    long created = System.nanoTime();
    // The recheck of a missing CdcSource is 30 s away: only the watch can be this quick.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !"CdcSourceNotFound".equals(condition(name, CONDITION_READY).getReason()));
    System.out.printf(
        "CdcSource created -> Pipeline reconciled in %d ms%n",
        (System.nanoTime() - created) / 1_000_000);
    assertThat(reconciles.finished(pipeline(name))).isGreaterThan(notFoundReconciles);
    await().atMost(WAIT).until(() -> strimzi.topics(name).size() == topicCount(name));
  }

  @Test
  void suspendScalesWorkersToZeroAndSuspendsCronJobsWithoutDeleting() {
    String name = "pause";
    create(TestPipelines.eventsWithTransforms(name, ns));
    await().atMost(WAIT).until(() -> strimzi.topics(name).size() == topicCount(name));
    strimzi.topicsReady(name);
    await().atMost(WAIT).until(() -> kubelet.deployments(name).size() == 3);
    Set<String> childrenBefore = kindsAndNames(children(name));

    setSuspend(name, true);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(kubelet.deployments(name))
                  .allSatisfy(d -> assertThat(d.getSpec().getReplicas()).isZero());
              assertThat(cronJobs(name))
                  .isNotEmpty()
                  .allSatisfy(c -> assertThat(c.getSpec().getSuspend()).isTrue());
            });
    awaitCondition(name, CONDITION_READY, "False", "Suspended");
    awaitCondition(name, CONDITION_TRANSFORMS_SCHEDULED, "False", "Suspended");
    assertThat(kindsAndNames(children(name))).isEqualTo(childrenBefore);

    setSuspend(name, false);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(kubelet.deployments(name))
                  .allSatisfy(d -> assertThat(d.getSpec().getReplicas()).isEqualTo(1));
              assertThat(cronJobs(name))
                  .allSatisfy(c -> assertThat(c.getSpec().getSuspend()).isFalse());
            });
  }

  @Test
  void aQualityRuleIsFoldedInAndItsChangeReRendersThePipeline() {
    String name = "ruled";
    create(TestPipelines.events(name, ns));
    await().atMost(WAIT).until(() -> configJson(name) != null);
    assertThat(quality(name).allowedLateness()).isEqualTo("1h");

    client.resource(lateRule(name + "-late", name, "30m")).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(quality(name).allowedLateness()).isEqualTo("30m");
              assertThat(quality(name).rules()).containsExactly(name + "-late");
            });

    Conflicts.edit(
        client.resources(QualityRule.class).inNamespace(ns).withName(name + "-late"),
        r -> r.getSpec().lateArrival.allowedLateness = "45m");
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(quality(name).allowedLateness()).isEqualTo("45m"));

    client.resources(QualityRule.class).inNamespace(ns).withName(name + "-late").delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(quality(name).rules()).isEmpty());
  }

  // ---- fixtures and reads ----

  static void kafkaCluster(String name) {
    TestClusters.kafka(client, ns, name, true);
  }

  static void secret(String name, String key) {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withStringData(Map.of(key, "not-a-real-credential"))
                .build())
        .create();
  }

  static void create(Pipeline pipeline) {
    client.resource(pipeline).inNamespace(ns).create();
  }

  static QualityRule lateRule(String ruleName, String pipeline, String lateness) {
    QualityRule rule = new QualityRule();
    rule.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(ruleName)
            .withNamespace(ns)
            .build());
    rule.setSpec(new QualityRuleSpec());
    rule.getSpec().pipelineRef = new ObjectRef(pipeline);
    rule.getSpec().lateArrival = new LateArrivalCheck();
    rule.getSpec().lateArrival.allowedLateness = lateness;
    return rule;
  }

  /** What the builders render for a Pipeline read back from the server, with its rules. */
  static List<HasMetadata> expectedChildren(Pipeline pipeline) {
    CdcSource cdc =
        pipeline.getSpec().source.cdc == null
            ? null
            : client
                .resources(CdcSource.class)
                .inNamespace(ns)
                .withName(pipeline.getSpec().source.cdc.sourceRef.name)
                .get();
    List<QualityRule> rules = client.resources(QualityRule.class).inNamespace(ns).list().getItems();
    return PipelineChildrenGoldenTest.render(pipeline, rules, cdc);
  }

  static Pipeline pipeline(String name) {
    return client.resources(Pipeline.class).inNamespace(ns).withName(name).get();
  }

  static void setSuspend(String name, boolean suspend) {
    Conflicts.edit(
        client.resources(Pipeline.class).inNamespace(ns).withName(name),
        p -> p.getSpec().suspend = suspend);
  }

  static Condition condition(String name, String type) {
    Pipeline pipeline = pipeline(name);
    return pipeline.getStatus() == null
        ? null
        : Conditions.find(pipeline.getStatus().conditions, type).orElse(null);
  }

  static Condition awaitCondition(String name, String type, String status, String reason) {
    return await()
        .atMost(WAIT)
        .until(
            () -> condition(name, type),
            c -> c != null && status.equals(c.getStatus()) && reason.equals(c.getReason()));
  }

  static List<HasMetadata> children(String name) {
    String selector = CrdConstants.LABEL_PIPELINE + "=" + name;
    return Stream.of(
            client
                .resources(KafkaTopic.class)
                .inNamespace(ns)
                .withLabelSelector(selector)
                .list()
                .getItems(),
            client.configMaps().inNamespace(ns).withLabelSelector(selector).list().getItems(),
            client
                .apps()
                .deployments()
                .inNamespace(ns)
                .withLabelSelector(selector)
                .list()
                .getItems(),
            client
                .batch()
                .v1()
                .cronjobs()
                .inNamespace(ns)
                .withLabelSelector(selector)
                .list()
                .getItems())
        .flatMap(List::stream)
        .map(HasMetadata.class::cast)
        .toList();
  }

  static List<CronJob> cronJobs(String name) {
    return client
        .batch()
        .v1()
        .cronjobs()
        .inNamespace(ns)
        .withLabel(CrdConstants.LABEL_PIPELINE, name)
        .list()
        .getItems();
  }

  static String kindAndName(HasMetadata resource) {
    return resource.getKind() + "/" + resource.getMetadata().getName();
  }

  static Set<String> kindsAndNames(List<HasMetadata> resources) {
    return resources.stream()
        .map(PipelineReconcilerIT::kindAndName)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  static Map<String, HasMetadata> byKindAndName(List<HasMetadata> resources) {
    return resources.stream().collect(Collectors.toMap(PipelineReconcilerIT::kindAndName, r -> r));
  }

  static Map<String, String> resourceVersions(String name) {
    Map<String, String> versions = new TreeMap<>();
    for (HasMetadata child : children(name)) {
      versions.put(kindAndName(child), child.getMetadata().getResourceVersion());
    }
    versions.put("Pipeline/" + name, pipeline(name).getMetadata().getResourceVersion());
    return versions;
  }

  static KafkaTopic topic(String suffix) {
    return client.resources(KafkaTopic.class).inNamespace(ns).withName(ns + "." + suffix).get();
  }

  static String configJson(String name) {
    ConfigMap cm = client.configMaps().inNamespace(ns).withName(name + "-worker-config").get();
    return cm == null ? null : cm.getData().get(WorkerConfig.FILE_NAME);
  }

  static WorkerConfig.Quality quality(String name) {
    return io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
            configJson(name), WorkerConfig.class)
        .quality();
  }

  static Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  static String podConfigHash(String deployment) {
    Deployment d = client.apps().deployments().inNamespace(ns).withName(deployment).get();
    return d.getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(WorkerConfigMapBuilder.CONFIG_HASH_ANNOTATION);
  }

  static List<String> warningEvents(String name) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "Warning".equals(e.getType()))
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .map(e -> e.getMessage())
        .toList();
  }

  /** The KafkaTopics a Pipeline renders: its four layers and its streaming transforms' outputs. */
  private static int topicCount(String name) {
    return TopicBuilder.topicNames(pipeline(name)).size();
  }
}
