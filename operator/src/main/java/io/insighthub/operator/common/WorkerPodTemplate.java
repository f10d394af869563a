package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.insighthub.crds.worker.WorkerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod template of every worker (Deployments, CronJobs, Jobs): the worker image running one
 * subcommand on the mounted config.json, a restricted security context, Secrets mounted by
 * reference, and the config hash that rolls the pods when the config changes.
 *
 * @param stage the worker subcommand, also the container name
 * @param labels the pod labels
 * @param stateStorage size of the state volume and the container's ephemeral-storage request; null:
 *     unbounded and not requested
 * @param configMap name of the ConfigMap holding config.json
 * @param configHash hash of config.json, set as a pod annotation
 * @param sinkSecret Secret with the warehouse connection, mounted at {@link WorkerMounts#SINK_DIR}
 * @param hashKeySecret Secret with the PII HMAC key, mounted at {@link WorkerMounts#PII_KEY_DIR}
 * @param hashKey key of the HMAC key inside {@code hashKeySecret}
 * @param envSecret Secret exposed as environment (object-store credentials)
 * @param env further environment of the stage, after {@code INSIGHTHUB_STATE_DIR} (e.g. validate's
 *     spill bound from {@code stateStorage})
 * @param longRunning true for Deployments: probes on the metrics port
 */
public record WorkerPodTemplate(
    String stage,
    Map<String, String> labels,
    String image,
    ResourceRequirements resources,
    StateStorage stateStorage,
    String configMap,
    String configHash,
    String sinkSecret,
    String hashKeySecret,
    String hashKey,
    String envSecret,
    Map<String, String> env,
    boolean longRunning) {

  public static final String CONFIG_HASH_ANNOTATION = "data.insighthub.io/config-hash";

  public PodTemplateSpec build(String restartPolicy) {
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("config")
            .withNewConfigMap()
            .withName(configMap)
            .endConfigMap()
            .build());
    mounts.add(mount("config", WorkerConfig.MOUNT_PATH));
    if (sinkSecret != null) {
      volumes.add(
          new VolumeBuilder()
              .withName("sink")
              .withNewSecret()
              .withSecretName(sinkSecret)
              .endSecret()
              .build());
      mounts.add(mount("sink", WorkerMounts.SINK_DIR));
    }
    if (hashKeySecret != null) {
      volumes.add(
          new VolumeBuilder()
              .withName("pii-hash-key")
              .withNewSecret()
              .withSecretName(hashKeySecret)
              .withItems(new KeyToPathBuilder().withKey(hashKey).withPath(hashKey).build())
              .endSecret()
              .build());
      mounts.add(mount("pii-hash-key", WorkerMounts.PII_KEY_DIR));
    }
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    mounts.add(
        new VolumeMountBuilder().withName("tmp").withMountPath(WorkerMounts.TMP_DIR).build());
    volumes.add(
        new VolumeBuilder()
            .withName("state")
            .withNewEmptyDir()
            .withSizeLimit(stateStorage == null ? null : stateStorage.quantity())
            .endEmptyDir()
            .build());
    mounts.add(
        new VolumeMountBuilder().withName("state").withMountPath(WorkerMounts.STATE_DIR).build());

    var container =
        new ContainerBuilder()
            .withName(stage)
            .withImage(image)
            .withArgs(
                stage,
                "--config",
                WorkerConfig.MOUNT_PATH + "/" + WorkerConfig.FILE_NAME,
                "--metrics-port",
                String.valueOf(WorkerMounts.METRICS_PORT))
            .addNewEnv()
            .withName(WorkerConfig.STATE_DIR_ENV)
            .withValue(WorkerMounts.STATE_DIR)
            .endEnv()
            .withResources(stateStorage == null ? resources : stateStorage.requestedIn(resources))
            .addNewPort()
            .withName(WorkerMounts.METRICS_PORT_NAME)
            .withContainerPort(WorkerMounts.METRICS_PORT)
            .withProtocol("TCP")
            .endPort()
            .withVolumeMounts(mounts)
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withRunAsNonRoot(true)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext();
    env.forEach((name, value) -> container.addNewEnv().withName(name).withValue(value).endEnv());
    if (envSecret != null) {
      container.withEnvFrom(
          new EnvFromSourceBuilder().withNewSecretRef().withName(envSecret).endSecretRef().build());
    }
    if (longRunning) {
      container.withLivenessProbe(probe("/healthz", 30)).withReadinessProbe(probe("/readyz", 10));
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(CONFIG_HASH_ANNOTATION, configHash);
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy(restartPolicy)
        .withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withContainers(container.build())
        .withVolumes(volumes)
        .endSpec()
        .build();
  }

  private static VolumeMount mount(String name, String path) {
    return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(true).build();
  }

  private static Probe probe(String path, int period) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(WorkerMounts.METRICS_PORT_NAME))
        .endHttpGet()
        .withPeriodSeconds(period)
        .withFailureThreshold(3)
        .build();
  }
}
