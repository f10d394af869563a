package io.insighthub.e2e.scenarios;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.insighthub.e2e.node.LocalNode;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Tells the local stack's user what the controllers and the node do with Pods, one line per change:
 * a Pod's phase (with its container's exit code once it finished, "stopped" once a deleted Pod's
 * process has exited) and its log file, and its removal (a rollout, a finished Job's clean-up,
 * garbage collection after a deletion).
 */
final class PodActivity implements AutoCloseable {
  private final SharedIndexInformer<Pod> informer;
  private final Map<String, String> shown = new ConcurrentHashMap<>();

  PodActivity(KubernetesClient client, String namespace, LocalNode node, Consumer<String> say) {
    this.informer =
        client
            .pods()
            .inNamespace(namespace)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    report(pod);
                  }

                  @Override
                  public void onUpdate(Pod old, Pod pod) {
                    report(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    if (shown.remove(pod.getMetadata().getUid()) != null) {
                      say.accept("pod " + pod.getMetadata().getName() + " removed");
                    }
                  }

                  private void report(Pod pod) {
                    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
                    if (phase == null || pod.getSpec().getNodeName() == null) {
                      return;
                    }
                    // A Pod being deleted ends Failed when its process exits on SIGTERM with 143.
                    boolean deleted =
                        pod.getMetadata().getDeletionTimestamp() != null
                            && (phase.equals("Succeeded") || phase.equals("Failed"));
                    String line = (deleted ? "stopped" : phase) + exit(pod);
                    if (!Objects.equals(shown.put(pod.getMetadata().getUid(), line), line)) {
                      String container = pod.getSpec().getContainers().getFirst().getName();
                      say.accept(
                          "pod "
                              + pod.getMetadata().getName()
                              + " "
                              + line
                              + ", log "
                              + node.log(namespace, pod.getMetadata().getName(), container));
                    }
                  }
                },
                0);
  }

  private static String exit(Pod pod) {
    if (pod.getStatus().getContainerStatuses() == null) {
      return "";
    }
    for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
      if (s.getState() != null && s.getState().getTerminated() != null) {
        return " (exit code " + s.getState().getTerminated().getExitCode() + ")";
      }
      if (s.getState() != null
          && s.getState().getWaiting() != null
          && !"ContainerCreating".equals(s.getState().getWaiting().getReason())) {
        return " (" + s.getState().getWaiting().getReason() + ")";
      }
    }
    return "";
  }

  @Override
  public void close() {
    informer.close();
  }
}
