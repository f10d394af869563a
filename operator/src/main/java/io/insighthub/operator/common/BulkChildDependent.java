package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.CRUDKubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dependent resource managing a varying set of children of one kind (server-side applied, owned
 * by the primary), recording an Event for each child it creates, updates or deletes. Ownership and
 * the create/update Events come from {@link ChildDependent}.
 */
public abstract class BulkChildDependent<R extends HasMetadata, P extends HasMetadata>
    extends ChildDependent<R, P>
    implements CRUDKubernetesBulkDependentResource<R, P>, KubernetesBulkDependentResource<R, P> {

  protected BulkChildDependent(Class<R> type) {
    super(type);
  }

  /** The children the primary needs now; any other owned child of this kind is deleted. */
  protected abstract List<R> desiredChildren(P primary, Context<P> context);

  @Override
  public Map<ResourceID, R> desiredResources(P primary, Context<P> context) {
    Map<ResourceID, R> desired = new LinkedHashMap<>();
    for (R child : desiredChildren(primary, context)) {
      desired.put(ResourceID.fromResource(child), child);
    }
    return desired;
  }

  @Override
  public void deleteTargetResource(P primary, R resource, ResourceID id, Context<P> context) {
    super.deleteTargetResource(primary, resource, id, context);
    ChildEvents.deleted(context, primary, resource);
  }
}
