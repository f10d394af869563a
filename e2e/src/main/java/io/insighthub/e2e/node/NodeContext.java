package io.insighthub.e2e.node;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Map;

/** What every Pod runner of one local node shares. */
record NodeContext(
    KubernetesClient client,
    String nodeName,
    Images images,
    NodeCapacity capacity,
    Path podsDir,
    NodeEvents events,
    Map<String, String> serviceEnvironment) {}
