package io.insighthub.operator.testing;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.crds.CrdConstants;
import java.util.List;

/**
 * Plays the Deployment and Job controllers and the kubelet on the bare test bed (no
 * controller-manager, no nodes): sets the status they would write once the pods run.
 */
public final class KubeletEmulation {
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

  /** The Deployment has {@code available} replicas available (capped at its spec). */
  public void available(String deployment, int available) {
    Conflicts.retry(
        () ->
            client
                .apps()
                .deployments()
                .inNamespace(namespace)
                .withName(deployment)
                .editStatus(
                    d -> {
                      int replicas = d.getSpec().getReplicas();
                      int up = Math.min(available, replicas);
                      d.setStatus(
                          new DeploymentStatusBuilder()
                              .withObservedGeneration(d.getMetadata().getGeneration())
                              .withReplicas(replicas)
                              .withUpdatedReplicas(replicas)
                              .withReadyReplicas(up)
                              .withAvailableReplicas(up)
                              .build());
                      return d;
                    }));
  }

  /** The Job controller reports the Job's one pod succeeded. */
  public void jobSucceeded(String job) {
    Conflicts.retry(
        () ->
            client
                .batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withName(job)
                .editStatus(
                    j -> {
                      String now =
                          java.time.Instant.now()
                              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                              .toString();
                      j.setStatus(
                          new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                              .withStartTime(now)
                              .withCompletionTime(now)
                              .withSucceeded(1)
                              .addNewCondition()
                              .withType("SuccessCriteriaMet")
                              .withStatus("True")
                              .withLastTransitionTime(now)
                              .endCondition()
                              .addNewCondition()
                              .withType("Complete")
                              .withStatus("True")
                              .withLastTransitionTime(now)
                              .endCondition()
                              .build());
                      return j;
                    }));
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
