package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;

/** Checks that a referenced Secret exists and holds the keys a component reads from it. */
public final class SecretReferences {
  private final KubernetesClient client;

  public SecretReferences(KubernetesClient client) {
    this.client = client;
  }

  /**
   * @param field the spec field that references the Secret, named in the message
   */
  public Optional<ReferenceProblem> check(
      String namespace, String name, List<String> keys, String field) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      return Optional.of(
          new ReferenceProblem(
              "SecretNotFound",
              "Secret " + name + " (" + field + ") does not exist in namespace " + namespace));
    }
    for (String key : keys) {
      boolean present =
          (secret.getData() != null && secret.getData().containsKey(key))
              || (secret.getStringData() != null && secret.getStringData().containsKey(key));
      if (!present) {
        return Optional.of(
            new ReferenceProblem(
                "SecretKeyNotFound", "Secret " + name + " (" + field + ") has no key " + key));
      }
    }
    return Optional.empty();
  }
}
