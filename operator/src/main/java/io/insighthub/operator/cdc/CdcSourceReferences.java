package io.insighthub.operator.cdc;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.CdcSourceSpec;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.ReferenceCache;
import io.insighthub.operator.common.ReferenceProblem;
import io.insighthub.operator.common.SecretReferences;
import io.strimzi.api.kafka.model.connect.KafkaConnect;
import java.util.List;
import java.util.Optional;

/** Checks what a CdcSource references: its KafkaConnect cluster, Kafka and Secrets. */
public final class CdcSourceReferences {
  private final KubernetesClient client;
  private final OperatorConfig config;
  private final ReferenceCache cache;

  public CdcSourceReferences(KubernetesClient client, OperatorConfig config, ReferenceCache cache) {
    this.client = client;
    this.config = config;
    this.cache = cache;
  }

  public Optional<ReferenceProblem> check(CdcSource source) {
    String ns = source.getMetadata().getNamespace();
    CdcSourceSpec spec = source.getSpec();
    if (config.kafkaCluster() == null && config.kafkaBootstrapServers() == null) {
      return Optional.of(
          new ReferenceProblem(
              "KafkaClusterNotConfigured",
              "The cdc-load worker needs Kafka: configure the operator's INSIGHTHUB_KAFKA_CLUSTER"
                  + " or INSIGHTHUB_KAFKA_BOOTSTRAP_SERVERS"));
    }
    if (!cache.exists(client, KafkaConnect.class, ns, spec.connectCluster)) {
      return Optional.of(
          new ReferenceProblem(
              "ConnectClusterNotFound",
              "KafkaConnect "
                  + spec.connectCluster
                  + " (spec.connectCluster) does not exist in namespace "
                  + ns
                  + "; Strimzi runs a KafkaConnector only in its KafkaConnect's namespace"));
    }
    SecretReferences secrets = new SecretReferences(client, cache);
    Optional<ReferenceProblem> problem =
        secrets.check(
            ns,
            spec.database.credentialsSecretRef.name,
            List.of("username", "password"),
            "spec.database.credentialsSecretRef");
    if (problem.isEmpty()) {
      problem =
          secrets.check(
              ns, spec.sink.connectionSecretRef.name, List.of(), "spec.sink.connectionSecretRef");
    }
    if (problem.isEmpty() && CdcLoaderBuilder.hashes(spec)) {
      problem =
          secrets.check(
              ns,
              spec.pii.hashKeySecretRef.name,
              List.of(CdcLoaderBuilder.hashKey(spec)),
              "spec.pii.hashKeySecretRef");
    }
    return problem;
  }
}
