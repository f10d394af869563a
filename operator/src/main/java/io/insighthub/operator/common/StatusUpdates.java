package io.insighthub.operator.common;

import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.function.Supplier;

/**
 * Status-only patches: sent on a fresh object holding just name, namespace and status (so server-
 * side apply owns nothing else), and not sent at all when the status is unchanged.
 */
public final class StatusUpdates {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private StatusUpdates() {}

  public static boolean unchanged(Object previous, Object next) {
    return previous != null && JSON.valueToTree(previous).equals(JSON.valueToTree(next));
  }

  public static <S, P extends CustomResource<?, S>> UpdateControl<P> patchIfChanged(
      P primary, S status, Supplier<P> empty) {
    if (unchanged(primary.getStatus(), status)) {
      return UpdateControl.noUpdate();
    }
    P patch = empty.get();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(primary.getMetadata().getName())
            .withNamespace(primary.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch);
  }
}
