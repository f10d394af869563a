package io.insighthub.operator.pipeline;

import io.insighthub.crds.v1alpha1.Pipeline;
import java.util.Locale;

/** Names of a Pipeline's children, in one place so builders, conditions and tests agree. */
public final class PipelineNames {
  private PipelineNames() {}

  /** The Kafka topic (and KafkaTopic resource) of one layer: {@code <ns>.<pipeline>.<layer>}. */
  public static String topic(Pipeline pipeline, String layer) {
    return pipeline.getMetadata().getNamespace()
        + "."
        + pipeline.getMetadata().getName()
        + "."
        + layer;
  }

  public static String configMap(Pipeline pipeline) {
    return pipeline.getMetadata().getName() + "-worker-config";
  }

  public static String deployment(Pipeline pipeline, WorkerStage stage) {
    return pipeline.getMetadata().getName() + "-" + stage.id();
  }

  public static String cronJob(Pipeline pipeline, String job) {
    return pipeline.getMetadata().getName() + "-" + job;
  }

  /** A warehouse table name from a resource name: account-usage becomes ACCOUNT_USAGE. */
  public static String table(String name) {
    return name.replace('-', '_').replace('.', '_').toUpperCase(Locale.ROOT);
  }
}
