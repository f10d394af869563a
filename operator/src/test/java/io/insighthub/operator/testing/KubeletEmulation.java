package io.insighthub.operator.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.insighthub.crds.CrdConstants;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Plays the kubelet for the operator ITs, whose control plane runs the real Deployment, ReplicaSet
 * and Job controllers but no node: writes the Pod status a kubelet would once their containers run
 * (Ready) or finish (Succeeded), and the controllers derive the Deployment's and Job's status from
 * it. The e2e local node runs Pods for real; here only their status matters.
 */
public final class KubeletEmulation {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final KubernetesClient client;
  private final String namespace;

  public KubeletEmulation(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Every worker Deployment of the Pipeline has all its replicas available. */
  public void workersAvailable(String pipeline) {
    deployments(pipeline).forEach(d -> available(d.getMetadata().getName(), Integer.MAX_VALUE));
  }

  /**
   * {@code available} Pods of the Deployment (capped at its replicas) report their containers
   * ready, the others not ready. Waits for the ReplicaSet controller to create the Pods.
   */
  public void available(String deployment, int available) {
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
    List<Pod> pods = awaitPods(selector, replicas);
    for (int i = 0; i < pods.size(); i++) {
      status(pods.get(i), i < available ? "ready" : "unready");
    }
  }

  /** The Job's Pod ran to completion (exit code 0); the Job controller then completes the Job. */
  public void jobSucceeded(String job) {
    Pod pod = awaitPods(Map.of("job-name", job), 1).getFirst();
    status(pod, "succeeded");
  }

  /** At least {@code count} Pods with the labels, not being deleted, oldest first. */
  private List<Pod> awaitPods(Map<String, String> labels, int count) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                client.pods().inNamespace(namespace).withLabels(labels).list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .sorted(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()))
                    .toList(),
            list -> list.size() >= count);
  }

  /** The Pod's containers run and are ready, as the kubelet reports them. */
  public void ready(Pod pod) {
    status(pod, "ready");
  }

  private void status(Pod pod, String state) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    boolean ready = state.equals("ready");
    String container = pod.getSpec().getContainers().getFirst().getName();
    String containerState =
        state.equals("succeeded")
            ? "{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\",\"startedAt\":\"%s\",\"finishedAt\":\"%s\"}}"
                .formatted(now, now)
            : "{\"running\":{\"startedAt\":\"%s\"}}".formatted(now);
    String phase = state.equals("succeeded") ? "Succeeded" : "Running";
    String patch =
        """
        {"status":{"phase":"%s","startTime":"%s","conditions":[
          {"type":"ContainersReady","status":"%s","lastTransitionTime":"%s"},
          {"type":"Ready","status":"%s","lastTransitionTime":"%s"}],
         "containerStatuses":[{"name":"%s","image":"%s","imageID":"","ready":%s,"restartCount":0,
          "started":%s,"state":%s}]}}
        """
            .formatted(
                phase,
                now,
                ready ? "True" : "False",
                now,
                ready ? "True" : "False",
                now,
                container,
                pod.getSpec().getContainers().getFirst().getImage(),
                ready,
                !state.equals("succeeded"),
                containerState);
    client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .subresource("status")
        .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
  }

  public List<Deployment> deployments(String pipeline) {
    return client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withLabel(CrdConstants.LABEL_PIPELINE, pipeline)
        .list()
        .getItems();
  }
}
