package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.operator.common.Labels;
import io.insighthub.operator.common.WorkerPodTemplate;
import java.util.Map;

/** Builds the ConfigMap holding a Pipeline's resolved worker config as config.json. */
public final class WorkerConfigMapBuilder {
  public static final String CONFIG_HASH_ANNOTATION = WorkerPodTemplate.CONFIG_HASH_ANNOTATION;

  private WorkerConfigMapBuilder() {}

  public static ConfigMap build(ResolvedPipeline resolved) {
    var pipeline = resolved.pipeline();
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(PipelineNames.configMap(pipeline))
        .withNamespace(pipeline.getMetadata().getNamespace())
        .withLabels(Labels.forPipeline(pipeline))
        .withAnnotations(Map.of(CONFIG_HASH_ANNOTATION, resolved.configHash()))
        .endMetadata()
        .withData(Map.of(WorkerConfig.FILE_NAME, resolved.configJson()))
        .build();
  }
}
