package io.insighthub.operator.pipeline;

import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.operator.common.BulkChildDependent;
import io.insighthub.operator.common.CompactingItemStore;
import io.insighthub.operator.common.Labels;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.util.List;

/** The Pipeline's Strimzi KafkaTopics: one per layer and one per streaming transform. */
@KubernetesDependent(
    informer =
        @Informer(labelSelector = Labels.MANAGED_SELECTOR, itemStore = CompactingItemStore.class))
public class TopicsDependentResource extends BulkChildDependent<KafkaTopic, Pipeline> {
  public TopicsDependentResource() {
    super(KafkaTopic.class);
  }

  @Override
  protected List<KafkaTopic> desiredChildren(Pipeline pipeline, Context<Pipeline> context) {
    ResolvedPipeline resolved = PipelineReconciler.resolved(context);
    return TopicBuilder.build(pipeline, resolved.kafkaCluster());
  }
}
