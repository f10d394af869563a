package io.insighthub.operator.cdc;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.operator.common.ChildEvents;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.strimzi.api.kafka.model.connector.KafkaConnector;
import java.util.Objects;

/**
 * What happens when a CdcSource is deleted: stop capture (delete the KafkaConnector, so the slot is
 * no longer active), run the Job that drops the replication slot, report the outcome as an Event
 * and let the resource go. A failed drop is reported, not retried forever: a CdcSource stuck in
 * deletion would block its namespace, and the Event says how to drop the slot by hand.
 */
public final class ReplicationSlotCleanup {
  static final long POLL_MILLIS = 5_000;

  private final KubernetesClient client;
  private final String image;

  public ReplicationSlotCleanup(KubernetesClient client, String image) {
    this.client = client;
    this.image = image;
  }

  public DeleteControl cleanup(CdcSource source) {
    String ns = source.getMetadata().getNamespace();
    String name = source.getMetadata().getName();
    ChildEvents events = new ChildEvents(client);
    var connector = client.resources(KafkaConnector.class).inNamespace(ns).withName(name);
    if (connector.get() != null) {
      connector.delete();
      events.record(
          source,
          ChildEvents.NORMAL,
          "StoppingCapture",
          "Deleted KafkaConnector " + name + " before dropping the slot");
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(POLL_MILLIS);
    }
    var jobs =
        client.batch().v1().jobs().inNamespace(ns).withName(SlotCleanupJobBuilder.name(source));
    Job job = jobs.get();
    if (job == null) {
      Job desired = SlotCleanupJobBuilder.build(source, image);
      desired
          .getMetadata()
          .getOwnerReferences()
          .add(
              new OwnerReferenceBuilder()
                  .withApiVersion(source.getApiVersion())
                  .withKind(source.getKind())
                  .withName(name)
                  .withUid(source.getMetadata().getUid())
                  .build());
      client.resource(desired).create();
      events.record(
          source,
          ChildEvents.NORMAL,
          "DroppingReplicationSlot",
          "Created Job "
              + desired.getMetadata().getName()
              + " to drop replication slot "
              + source.getSpec().slotName);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(POLL_MILLIS);
    }
    var status = job.getStatus();
    int succeeded = status == null ? 0 : Objects.requireNonNullElse(status.getSucceeded(), 0);
    boolean failed =
        status != null
            && status.getConditions() != null
            && status.getConditions().stream()
                .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()));
    if (succeeded > 0) {
      events.record(
          source,
          ChildEvents.NORMAL,
          "ReplicationSlotDropped",
          "Replication slot "
              + source.getSpec().slotName
              + " dropped from database "
              + source.getSpec().database.name);
      return DeleteControl.defaultDelete();
    }
    if (failed) {
      events.record(
          source,
          ChildEvents.WARNING,
          "ReplicationSlotDropFailed",
          "Job "
              + job.getMetadata().getName()
              + " could not drop replication slot "
              + source.getSpec().slotName
              + "; it still pins WAL on "
              + source.getSpec().database.host
              + ": run "
              + SlotCleanupJobBuilder.sql(source)
              + " as a superuser");
      return DeleteControl.defaultDelete();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(POLL_MILLIS);
  }
}
