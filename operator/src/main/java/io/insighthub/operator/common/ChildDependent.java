package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/**
 * A dependent resource managing exactly one child (server-side applied, owned by the primary),
 * recording an Event when it creates or updates it.
 */
public abstract class ChildDependent<R extends HasMetadata, P extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, P> {

  protected ChildDependent(Class<R> type) {
    super(type);
  }

  @Override
  protected void addReferenceHandlingMetadata(R desired, P primary) {
    super.addReferenceHandlingMetadata(desired, primary);
    OwnerReferences.markController(desired, primary);
  }

  @Override
  public R create(R desired, P primary, Context<P> context) {
    R created = super.create(desired, primary, context);
    ChildEvents.created(context, primary, desired);
    return created;
  }

  @Override
  public R update(R actual, R desired, P primary, Context<P> context) {
    R updated = super.update(actual, desired, primary, context);
    ChildEvents.updated(context, primary, desired);
    return updated;
  }
}
