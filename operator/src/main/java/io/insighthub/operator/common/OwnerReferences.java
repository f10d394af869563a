package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Marks the primary as the controller of a child, so kubectl describe shows "Controlled By". */
public final class OwnerReferences {
  private OwnerReferences() {}

  public static void markController(HasMetadata child, HasMetadata primary) {
    child.getMetadata().getOwnerReferences().stream()
        .filter(ref -> ref.getUid().equals(primary.getMetadata().getUid()))
        .forEach(ref -> ref.setController(true));
  }
}
