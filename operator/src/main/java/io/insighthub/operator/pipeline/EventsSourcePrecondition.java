package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Reconcile precondition of the worker Deployments: only an events source runs long-lived stages
 * (CDC tables are loaded by the CdcSource's worker, batch files by a CronJob).
 */
public class EventsSourcePrecondition implements Condition<Deployment, Pipeline> {
  @Override
  public boolean isMet(
      DependentResource<Deployment, Pipeline> dependent,
      Pipeline pipeline,
      Context<Pipeline> context) {
    return !WorkerStage.of(pipeline).isEmpty();
  }
}
