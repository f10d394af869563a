package io.insighthub.operator.cdc;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.CdcSourceSpec;
import io.insighthub.crds.v1alpha1.FreshnessSpec;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.Labels;
import io.insighthub.operator.common.StateStorage;
import io.insighthub.operator.common.WorkerMounts;
import io.insighthub.operator.common.WorkerPodTemplate;
import io.insighthub.operator.pipeline.WorkerConfigBuilder;
import java.util.List;
import java.util.Map;

/**
 * Builds the cdc-load worker of a CdcSource: its ConfigMap (the change topics, tables, delete mode,
 * PII and sink as a WorkerConfig) and its Deployment, scaled to zero while suspended.
 */
public final class CdcLoaderBuilder {
  public static final String STAGE = "cdc-load";

  private CdcLoaderBuilder() {}

  public static String configMapName(CdcSource source) {
    return source.getMetadata().getName() + "-cdc-load-config";
  }

  public static String deploymentName(CdcSource source) {
    return source.getMetadata().getName() + "-" + STAGE;
  }

  public static WorkerConfig workerConfig(CdcSource source, OperatorConfig operator) {
    CdcSourceSpec spec = source.getSpec();
    String bootstrap =
        operator.kafkaBootstrapServers() != null
            ? operator.kafkaBootstrapServers()
            : operator.kafkaCluster() + "-kafka-bootstrap:9092";
    WorkerConfig.Pii pii =
        spec.pii == null || spec.pii.fields.isEmpty()
            ? null
            : new WorkerConfig.Pii(
                List.copyOf(spec.pii.fields),
                hashes(spec) ? WorkerMounts.PII_KEY_DIR + "/" + hashKey(spec) : null,
                spec.pii.rawPurgeAfterDays);
    String table = spec.sink.table;
    return new WorkerConfig(
        WorkerConfig.CURRENT_VERSION,
        source.getMetadata().getNamespace(),
        source.getMetadata().getName(),
        new WorkerConfig.Kafka(bootstrap, null, null, null, null, WorkerConfig.WATERMARK_TOPIC),
        null,
        new WorkerConfig.Cdc(CdcTopics.prefix(source), List.copyOf(spec.tables), spec.deleteMode),
        null,
        pii,
        List.of(),
        new WorkerConfig.Sink(
            WorkerMounts.SINK_DIR, spec.sink.database, spec.sink.schema, table, spec.sink.mode),
        null,
        new FreshnessSpec());
  }

  public static ConfigMap configMap(CdcSource source, String json, String hash) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(configMapName(source))
        .withNamespace(source.getMetadata().getNamespace())
        .withLabels(Labels.forCdcSource(source))
        .withAnnotations(Map.of(WorkerPodTemplate.CONFIG_HASH_ANNOTATION, hash))
        .endMetadata()
        .withData(Map.of(WorkerConfig.FILE_NAME, json))
        .build();
  }

  public static Deployment deployment(CdcSource source, OperatorConfig operator, String hash) {
    CdcSourceSpec spec = source.getSpec();
    Map<String, String> labels = Labels.forWorker(Labels.forCdcSource(source), STAGE);
    var template =
        new WorkerPodTemplate(
            STAGE,
            labels,
            operator.workerImage(),
            spec.loader.resources != null ? spec.loader.resources : operator.workerResources(),
            StateStorage.of(spec.loader.stateStorage),
            configMapName(source),
            hash,
            spec.sink.connectionSecretRef.name,
            hashes(spec) ? spec.pii.hashKeySecretRef.name : null,
            hashes(spec) ? hashKey(spec) : null,
            null,
            Map.of(),
            true);
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(deploymentName(source))
        .withNamespace(source.getMetadata().getNamespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withReplicas(Boolean.TRUE.equals(spec.suspend) ? 0 : spec.loader.replicas)
        .withNewSelector()
        .withMatchLabels(labels)
        .endSelector()
        .withTemplate(template.build("Always"))
        .endSpec()
        .build();
  }

  /** The JSON and its hash, computed once per reconcile. */
  public static String json(CdcSource source, OperatorConfig operator) {
    return WorkerConfigBuilder.toJson(workerConfig(source, operator));
  }

  static boolean hashes(CdcSourceSpec spec) {
    return spec.pii != null
        && spec.pii.hashKeySecretRef != null
        && spec.pii.fields.stream().anyMatch(f -> f.action == PiiField.Action.HASH);
  }

  static String hashKey(CdcSourceSpec spec) {
    return spec.pii.hashKeySecretRef.key != null
        ? spec.pii.hashKeySecretRef.key
        : WorkerMounts.DEFAULT_HASH_KEY;
  }
}
