package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The children one reconcile created, updated or deleted, recorded as one Event per reason on the
 * primary when the reconcile ends ("Created KafkaTopic a, KafkaTopic b, ConfigMap c") instead of
 * one Event per child: a new Pipeline has seven children, and at 1,000 Pipelines the per-child
 * Events were the largest single share of the operator's API requests. Each child is still named.
 * The dependents of one workflow may run in parallel, so adding is synchronized.
 */
public final class ChildEventBatch {
  static final String CONTEXT_KEY = "insighthub.child-events";
  private static final int MAX_MESSAGE = 1000;

  private final Map<String, List<String>> byReason = new LinkedHashMap<>();

  /** Starts collecting for this reconcile; the reconciler calls {@link #flush} at its end. */
  public static ChildEventBatch start(Context<?> context) {
    ChildEventBatch batch = new ChildEventBatch();
    context.managedWorkflowAndDependentResourceContext().put(CONTEXT_KEY, batch);
    return batch;
  }

  /** The batch of this reconcile, if the reconciler started one. */
  static Optional<ChildEventBatch> of(Context<?> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(CONTEXT_KEY, ChildEventBatch.class);
  }

  synchronized void add(String reason, HasMetadata child) {
    byReason
        .computeIfAbsent(reason, r -> new ArrayList<>())
        .add(child.getKind() + " " + child.getMetadata().getName());
  }

  /** Writes one Event per reason with every child of that reason, then forgets them. */
  public void flush(KubernetesClient client, HasMetadata primary) {
    Map<String, List<String>> pending;
    synchronized (this) {
      pending = new LinkedHashMap<>(byReason);
      byReason.clear();
    }
    ChildEvents events = new ChildEvents(client);
    pending.forEach(
        (reason, children) -> {
          String message =
              reason
                  + " "
                  + String.join(", ", children)
                  + ("Deleted".equals(reason) ? ": no longer in the spec" : "");
          if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE - 3) + "...";
          }
          events.record(primary, ChildEvents.NORMAL, reason, message);
        });
  }
}
