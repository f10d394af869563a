package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.SecretKeyRef;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.common.ReferenceCache;
import io.insighthub.operator.common.ReferenceProblem;
import io.insighthub.operator.common.SecretReferences;
import io.strimzi.api.kafka.model.kafka.Kafka;
import java.util.List;
import java.util.Optional;

/**
 * Checks what a Pipeline references outside itself (its Kafka cluster, CdcSource and Secrets)
 * before anything is rendered, so a dangling reference becomes a clear condition rather than
 * children that can never work.
 */
public final class PipelineReferences {
  private final KubernetesClient client;
  private final OperatorConfig config;
  private final ReferenceCache cache;

  public PipelineReferences(KubernetesClient client, OperatorConfig config, ReferenceCache cache) {
    this.client = client;
    this.config = config;
    this.cache = cache;
  }

  /** The CdcSource a Pipeline reads from, as "namespace/name"; empty for other sources. */
  public static Optional<String> cdcSourceKey(Pipeline pipeline) {
    var cdc = pipeline.getSpec() == null ? null : pipeline.getSpec().source.cdc;
    if (cdc == null || cdc.sourceRef == null) {
      return Optional.empty();
    }
    return Optional.of(pipeline.getMetadata().getNamespace() + "/" + cdc.sourceRef.name);
  }

  /** The first unresolvable reference, if any. */
  public Optional<ReferenceProblem> check(Pipeline pipeline, CdcSource cdcSource) {
    String ns = pipeline.getMetadata().getNamespace();
    String cluster = ResolvedPipeline.kafkaCluster(pipeline, config);
    if (cluster == null) {
      return Optional.of(
          new ReferenceProblem(
              "KafkaClusterNotConfigured",
              "No Kafka cluster for the topics: set spec.kafka.cluster, or configure the"
                  + " operator's default with INSIGHTHUB_KAFKA_CLUSTER"));
    }
    if (!cache.exists(client, Kafka.class, ns, cluster)) {
      String field =
          pipeline.getSpec().kafka != null && pipeline.getSpec().kafka.cluster != null
              ? "spec.kafka.cluster"
              : "the operator's default INSIGHTHUB_KAFKA_CLUSTER";
      return Optional.of(
          new ReferenceProblem(
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
          new ReferenceProblem(
              "CdcSourceNotFound",
              "CdcSource "
                  + cdc.sourceRef.name
                  + " (spec.source.cdc.sourceRef) does not exist in namespace "
                  + ns));
    }
    var spec = pipeline.getSpec();
    if (spec.sink != null) {
      Optional<ReferenceProblem> p =
          secret(ns, spec.sink.connectionSecretRef, "spec.sink.connectionSecretRef");
      if (p.isPresent()) {
        return p;
      }
    } else if (cdcSource != null && !spec.transforms.isEmpty()) {
      Optional<ReferenceProblem> p =
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
      Optional<ReferenceProblem> p = secret(ns, ref, "spec.pii.hashKeySecretRef");
      if (p.isPresent()) {
        return p;
      }
    }
    if (spec.archive != null && spec.archive.credentialsSecretRef != null) {
      Optional<ReferenceProblem> p =
          secret(
              ns,
              new SecretKeyRef(spec.archive.credentialsSecretRef.name, null),
              "spec.archive.credentialsSecretRef");
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

  private Optional<ReferenceProblem> secret(String ns, SecretKeyRef ref, String field) {
    return new SecretReferences(client, cache)
        .check(ns, ref.name, ref.key == null ? List.of() : List.of(ref.key), field);
  }
}
