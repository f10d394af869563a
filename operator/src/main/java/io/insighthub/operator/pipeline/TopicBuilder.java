package io.insighthub.operator.pipeline;

import io.insighthub.crds.CrdConstants;
import io.insighthub.crds.v1alpha1.Layers;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.TopicLayer;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.operator.common.Labels;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.topic.KafkaTopicBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the Strimzi KafkaTopic of each layer of a Pipeline (raw, validated, dlq and late) and of
 * each streaming transform's output ({@code <ns>.<pipeline>.<transform>}, which the aggregate
 * worker writes and the loader merges: compacted, since only a row's latest version matters).
 */
public final class TopicBuilder {
  public static final List<String> LAYERS = List.of("raw", "validated", "dlq", "late");

  private TopicBuilder() {}

  /** One KafkaTopic per layer, labelled for the Strimzi Kafka cluster {@code cluster}. */
  public static List<KafkaTopic> build(Pipeline pipeline, String cluster) {
    Layers layers = pipeline.getSpec().layers;
    List<KafkaTopic> topics = new ArrayList<>();
    topics.add(topic(pipeline, cluster, "raw", layers.raw, "delete"));
    topics.add(topic(pipeline, cluster, "validated", layers.validated, "delete"));
    topics.add(topic(pipeline, cluster, "dlq", layers.dlq, "delete"));
    topics.add(topic(pipeline, cluster, "late", layers.late, "delete"));
    // Sized like the validated layer they are computed from; compaction keeps each row's latest.
    for (TransformSpec transform : streamingTransforms(pipeline)) {
      topics.add(topic(pipeline, cluster, transform.name, layers.validated, "compact"));
    }
    return topics;
  }

  /** Every topic name of a Pipeline: its layers, then its streaming transforms' outputs. */
  public static List<String> topicNames(Pipeline pipeline) {
    List<String> names = new ArrayList<>();
    LAYERS.forEach(layer -> names.add(PipelineNames.topic(pipeline, layer)));
    streamingTransforms(pipeline).forEach(t -> names.add(PipelineNames.topic(pipeline, t.name)));
    return names;
  }

  private static List<TransformSpec> streamingTransforms(Pipeline pipeline) {
    return pipeline.getSpec().transforms.stream()
        .filter(
            t -> t.type == TransformSpec.Type.SESSIONIZE || t.type == TransformSpec.Type.AGGREGATE)
        .toList();
  }

  private static KafkaTopic topic(
      Pipeline pipeline, String cluster, String layer, TopicLayer spec, String cleanupPolicy) {
    Map<String, String> labels = Labels.forPipeline(pipeline);
    labels.put(CrdConstants.LABEL_STRIMZI_CLUSTER, cluster);
    labels.put(Labels.LAYER, LAYERS.contains(layer) ? layer : "transform");
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("cleanup.policy", cleanupPolicy);
    config.put("compression.type", compression(spec.compression));
    config.put("min.insync.replicas", spec.minInSyncReplicas);
    if (cleanupPolicy.equals("delete")) {
      config.put("retention.ms", asReadBack(Duration.ofDays(spec.getRetentionDays()).toMillis()));
    }
    return new KafkaTopicBuilder()
        .withNewMetadata()
        .withName(PipelineNames.topic(pipeline, layer))
        .withNamespace(pipeline.getMetadata().getNamespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withPartitions(spec.partitions)
        .withReplicas(spec.replicas)
        .withConfig(config)
        .endSpec()
        .build();
  }

  /**
   * The number typed as the API server's JSON reads back (an int when it fits), so the desired and
   * the observed config compare equal and an unchanged topic is never re-applied.
   */
  private static Object asReadBack(long value) {
    return value <= Integer.MAX_VALUE ? (Object) (int) value : (Object) value;
  }

  private static String compression(TopicLayer.Compression compression) {
    return compression == null ? "lz4" : compression.name().toLowerCase(java.util.Locale.ROOT);
  }
}
