package io.insighthub.e2e.kube;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A namespace created for one test class and deleted after it. On the bare test bed (no
 * controller-manager) a deleted namespace stays Terminating until the run's etcd is wiped, which is
 * harmless; on a real cluster it is removed with its contents.
 */
public record TestNamespace(String name, KubernetesClient client) implements AutoCloseable {
  static TestNamespace create(KubernetesClient client, String name) {
    client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("insighthub.io/test", "true")
                .endMetadata()
                .build())
        .create();
    return new TestNamespace(name, client);
  }

  @Override
  public void close() {
    client.namespaces().withName(name).delete();
  }
}
