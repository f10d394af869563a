package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The node ITs' image (running {@link TestContainer}) and small Pod builders around it. */
final class TestImages {
  static final String IMAGE = "insighthub.test/container:1";

  private TestImages() {}

  static Images images() {
    return Images.builder()
        .add(
            IMAGE,
            new LocalImage.Java(
                TestContainer.class.getName(),
                System.getProperty("java.class.path"),
                List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"),
                List.of("sleep"),
                PortBinding.variable("PORT")))
        .build();
  }

  /** A local node of the test image for one IT class, its Pods under {@code target/<name>}. */
  static LocalNode node(KubernetesClient client, String name) {
    return LocalNode.start(client, name, images(), Path.of("target", name, "pods"));
  }

  static ContainerBuilder container(String name, String... args) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(IMAGE)
        .withArgs(args)
        .withNewResources()
        .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("64Mi"))
        .endResources();
  }

  static PodSpec spec(String restartPolicy, ContainerBuilder container) {
    return new PodSpecBuilder()
        .withRestartPolicy(restartPolicy)
        .withTerminationGracePeriodSeconds(5L)
        .withContainers(container.build())
        .build();
  }

  static Pod pod(String namespace, String name, PodSpec spec) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withSpec(spec)
        .build();
  }

  static PodTemplateSpec template(Map<String, String> labels, PodSpec spec) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withSpec(spec)
        .build();
  }
}
