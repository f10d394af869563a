package io.insighthub.operator.pipeline;

import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.operator.OperatorConfig;
import java.util.List;

/**
 * A Pipeline with everything its children are built from resolved: the Kafka cluster, the worker
 * config and its hash. The reconciler resolves it once per reconcile and hands it to the dependent
 * resources through the workflow context.
 *
 * @param cdcSource the referenced CdcSource for a cdc source, else null
 */
public record ResolvedPipeline(
    Pipeline pipeline,
    OperatorConfig operator,
    String kafkaCluster,
    CdcSource cdcSource,
    WorkerConfig workerConfig,
    String configJson,
    String configHash) {

  /** Key of this record in the workflow context. */
  public static final String CONTEXT_KEY = ResolvedPipeline.class.getName();

  public static ResolvedPipeline resolve(
      Pipeline pipeline, List<QualityRule> rules, CdcSource cdcSource, OperatorConfig operator) {
    String cluster = kafkaCluster(pipeline, operator);
    WorkerConfig config =
        WorkerConfigBuilder.build(pipeline, rules, cdcSource, bootstrapServers(pipeline, operator));
    String json = WorkerConfigBuilder.toJson(config);
    return new ResolvedPipeline(
        pipeline, operator, cluster, cdcSource, config, json, WorkerConfigBuilder.hash(json));
  }

  /** spec.kafka.cluster, else the operator's default; null when neither is set. */
  public static String kafkaCluster(Pipeline pipeline, OperatorConfig operator) {
    var kafka = pipeline.getSpec().kafka;
    return kafka != null && kafka.cluster != null ? kafka.cluster : operator.kafkaCluster();
  }

  static String bootstrapServers(Pipeline pipeline, OperatorConfig operator) {
    var kafka = pipeline.getSpec().kafka;
    if (kafka != null && kafka.bootstrapServers != null) {
      return kafka.bootstrapServers;
    }
    if (operator.kafkaBootstrapServers() != null && (kafka == null || kafka.cluster == null)) {
      return operator.kafkaBootstrapServers();
    }
    // Strimzi's bootstrap Service of the plain listener, in the cluster's namespace.
    return kafkaCluster(pipeline, operator) + "-kafka-bootstrap:9092";
  }

  public boolean suspended() {
    return Boolean.TRUE.equals(pipeline.getSpec().suspend);
  }
}
