package io.insighthub.operator.common;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Checks that a referenced Secret exists and holds the keys a component reads from it. */
public final class SecretReferences {
  private final KubernetesClient client;
  private final ReferenceCache cache;

  public SecretReferences(KubernetesClient client, ReferenceCache cache) {
    this.client = client;
    this.cache = cache;
  }

  /**
   * @param field the spec field that references the Secret, named in the message
   */
  public Optional<ReferenceProblem> check(
      String namespace, String name, List<String> keys, String field) {
    Optional<Set<String>> present = cache.secretKeys(client, namespace, name, Set.copyOf(keys));
    if (present.isEmpty()) {
      return Optional.of(
          new ReferenceProblem(
              "SecretNotFound",
              "Secret " + name + " (" + field + ") does not exist in namespace " + namespace));
    }
    for (String key : keys) {
      if (!present.get().contains(key)) {
        return Optional.of(
            new ReferenceProblem(
                "SecretKeyNotFound", "Secret " + name + " (" + field + ") has no key " + key));
      }
    }
    return Optional.empty();
  }
}
