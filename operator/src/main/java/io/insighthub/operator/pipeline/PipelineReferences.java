package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.SecretKeyRef;
import io.insighthub.operator.OperatorConfig;
import io.strimzi.api.kafka.model.kafka.Kafka;
import java.util.Optional;

/**
 * Checks what a Pipeline references outside itself (its Kafka cluster, CdcSource and Secrets)
 * before anything is rendered, so a dangling reference becomes a clear condition rather than
 * children that can never work.
 */
public final class PipelineReferences {
  private final KubernetesClient client;
  private final OperatorConfig config;

  /**
   * A reference that cannot be resolved.
   *
   * @param reason CamelCase reason of the Ready condition
   * @param message names the missing object and the field that references it
   */
  public record Problem(String reason, String message) {}

  public PipelineReferences(KubernetesClient client, OperatorConfig config) {
    this.client = client;
    this.config = config;
  }

  /** The referenced CdcSource, for a cdc source; empty when absent or not a cdc source. */
  public Optional<CdcSource> cdcSource(Pipeline pipeline) {
    var cdc = pipeline.getSpec().source.cdc;
    if (cdc == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        client
            .resources(CdcSource.class)
            .inNamespace(pipeline.getMetadata().getNamespace())
            .withName(cdc.sourceRef.name)
            .get());
  }

  /** The first unresolvable reference, if any. */
  public Optional<Problem> check(Pipeline pipeline, CdcSource cdcSource) {
    String ns = pipeline.getMetadata().getNamespace();
    String cluster = ResolvedPipeline.kafkaCluster(pipeline, config);
    if (cluster == null) {
      return Optional.of(
          new Problem(
              "KafkaClusterNotConfigured",
              "No Kafka cluster for the topics: set spec.kafka.cluster, or configure the"
                  + " operator's default with INSIGHTHUB_KAFKA_CLUSTER"));
    }
    if (client.resources(Kafka.class).inNamespace(ns).withName(cluster).get() == null) {
      String field =
          pipeline.getSpec().kafka != null && pipeline.getSpec().kafka.cluster != null
              ? "spec.kafka.cluster"
              : "the operator's default INSIGHTHUB_KAFKA_CLUSTER";
      return Optional.of(
          new Problem(
              "KafkaClusterNotFound",
              "Kafka cluster "
                  + cluster
                  + " ("
                  + field
                  + ") does not exist in namespace "
                  + ns
                  + "; Strimzi would never create the topics"));
    }
    var cdc = pipeline.getSpec().source.cdc;
    if (cdc != null && cdcSource == null) {
      return Optional.of(
          new Problem(
              "CdcSourceNotFound",
              "CdcSource "
                  + cdc.sourceRef.name
                  + " (spec.source.cdc.sourceRef) does not exist in namespace "
                  + ns));
    }
    var spec = pipeline.getSpec();
    if (spec.sink != null) {
      Optional<Problem> p =
          secret(ns, spec.sink.connectionSecretRef, "spec.sink.connectionSecretRef");
      if (p.isPresent()) {
        return p;
      }
    } else if (cdcSource != null && !spec.transforms.isEmpty()) {
      Optional<Problem> p =
          secret(
              ns,
              cdcSource.getSpec().sink.connectionSecretRef,
              "spec.sink.connectionSecretRef of CdcSource " + cdcSource.getMetadata().getName());
      if (p.isPresent()) {
        return p;
      }
    }
    if (spec.pii != null && spec.pii.hashKeySecretRef != null) {
      var ref =
          new SecretKeyRef(spec.pii.hashKeySecretRef.name, WorkerConfigBuilder.hashKey(spec.pii));
      Optional<Problem> p = secret(ns, ref, "spec.pii.hashKeySecretRef");
      if (p.isPresent()) {
        return p;
      }
    }
    if (spec.source.batch != null && spec.source.batch.credentialsSecretRef != null) {
      return secret(
          ns, spec.source.batch.credentialsSecretRef, "spec.source.batch.credentialsSecretRef");
    }
    return Optional.empty();
  }

  private Optional<Problem> secret(String ns, SecretKeyRef ref, String field) {
    Secret secret = client.secrets().inNamespace(ns).withName(ref.name).get();
    if (secret == null) {
      return Optional.of(
          new Problem(
              "SecretNotFound",
              "Secret " + ref.name + " (" + field + ") does not exist in namespace " + ns));
    }
    boolean hasKey =
        ref.key == null
            || (secret.getData() != null && secret.getData().containsKey(ref.key))
            || (secret.getStringData() != null && secret.getStringData().containsKey(ref.key));
    if (!hasKey) {
      return Optional.of(
          new Problem(
              "SecretKeyNotFound",
              "Secret " + ref.name + " (" + field + ") has no key " + ref.key));
    }
    return Optional.empty();
  }
}
