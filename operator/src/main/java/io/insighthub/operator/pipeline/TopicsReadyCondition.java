package io.insighthub.operator.pipeline;

import io.insighthub.crds.v1alpha1.Pipeline;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.strimzi.api.kafka.model.topic.KafkaTopic;

/**
 * Ready postcondition of the topics: Strimzi has created every layer's topic, so the workers that
 * read and write them may start. A later topic change still being applied does not hold back a
 * worker rollout; the TopicsReady condition reports it.
 */
public class TopicsReadyCondition implements Condition<KafkaTopic, Pipeline> {
  @Override
  public boolean isMet(
      DependentResource<KafkaTopic, Pipeline> dependent,
      Pipeline pipeline,
      Context<Pipeline> context) {
    return TopicHealth.created(pipeline, context.getSecondaryResources(KafkaTopic.class));
  }
}
