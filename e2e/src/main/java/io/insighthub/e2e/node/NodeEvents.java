package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Events a kubelet records on a Pod (Started, Killing, Unhealthy, BackOff, Failed, Evicted), so
 * {@code kubectl describe pod} tells what the local node did. Written in the background; a failed
 * write is only logged.
 */
final class NodeEvents {
  private static final Logger LOG = LoggerFactory.getLogger(NodeEvents.class);

  private final KubernetesClient client;
  private final String node;
  private final ExecutorService writer;

  NodeEvents(KubernetesClient client, String node, ExecutorService writer) {
    this.client = client;
    this.node = node;
    this.writer = writer;
  }

  void normal(Pod pod, String container, String reason, String message) {
    record(pod, container, "Normal", reason, message);
  }

  void warning(Pod pod, String container, String reason, String message) {
    record(pod, container, "Warning", reason, message);
  }

  private void record(Pod pod, String container, String type, String reason, String message) {
    var meta = pod.getMetadata();
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withNamespace(meta.getNamespace())
            .withName(
                meta.getName()
                    + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong())
                        .toLowerCase(Locale.ROOT))
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion("v1")
            .withKind("Pod")
            .withNamespace(meta.getNamespace())
            .withName(meta.getName())
            .withUid(meta.getUid())
            .withFieldPath(container == null ? null : "spec.containers{" + container + "}")
            .endInvolvedObject()
            .withType(type)
            .withReason(reason)
            .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
            .withNewSource()
            .withComponent("kubelet")
            .withHost(node)
            .endSource()
            .withReportingComponent("kubelet")
            .withReportingInstance(node)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    try {
      writer.execute(
          () -> {
            try {
              client.v1().events().resource(event).create();
            } catch (RuntimeException e) {
              LOG.debug("event {} on {} not written: {}", reason, meta.getName(), e.getMessage());
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the node is closing
    }
  }
}
