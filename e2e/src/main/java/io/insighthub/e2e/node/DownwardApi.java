package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The values the downward API gives a container (environment variables and downwardAPI volume
 * files), computed as the kubelet computes them: Pod fields by path, resource requests and limits
 * with their divisor, a limit left unset being the node's allocatable amount.
 */
final class DownwardApi {
  private static final Pattern KEYED =
      Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

  private final Pod pod;
  private final NodeCapacity node;

  DownwardApi(Pod pod, NodeCapacity node) {
    this.pod = pod;
    this.node = node;
  }

  /** The value of a Pod field, or throws naming the unsupported path. */
  String field(ObjectFieldSelector selector) throws ContainerConfigException {
    String path = selector.getFieldPath();
    var meta = pod.getMetadata();
    Matcher keyed = KEYED.matcher(path);
    if (keyed.matches()) {
      Map<String, String> map =
          keyed.group(1).equals("labels") ? meta.getLabels() : meta.getAnnotations();
      return map == null ? "" : Objects.requireNonNullElse(map.get(keyed.group(2)), "");
    }
    return switch (path) {
      case "metadata.name" -> meta.getName();
      case "metadata.namespace" -> meta.getNamespace();
      case "metadata.uid" -> meta.getUid();
      case "metadata.labels" -> lines(meta.getLabels());
      case "metadata.annotations" -> lines(meta.getAnnotations());
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" ->
          Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "default");
      case "status.hostIP", "status.podIP", "status.hostIPs", "status.podIPs" -> LocalNode.IP;
      default -> throw new ContainerConfigException("unsupported downward API field " + path);
    };
  }

  /** A resource request or limit of {@code container} in units of the divisor, rounded up. */
  String resource(Container container, ResourceFieldSelector selector)
      throws ContainerConfigException {
    String resource = selector.getResource();
    var requirements = container.getResources();
    Map<String, Quantity> limits =
        requirements == null || requirements.getLimits() == null
            ? Map.of()
            : requirements.getLimits();
    Map<String, Quantity> requests =
        requirements == null || requirements.getRequests() == null
            ? Map.of()
            : requirements.getRequests();
    BigDecimal value;
    if (resource.startsWith("limits.")) {
      String name = resource.substring("limits.".length());
      value =
          limits.containsKey(name)
              ? Quantity.getAmountInBytes(limits.get(name))
              : node.allocatable(name);
    } else if (resource.startsWith("requests.")) {
      String name = resource.substring("requests.".length());
      value =
          requests.containsKey(name)
              ? Quantity.getAmountInBytes(requests.get(name))
              : BigDecimal.ZERO;
    } else {
      throw new ContainerConfigException("unsupported downward API resource " + resource);
    }
    if (value == null) {
      throw new ContainerConfigException("unsupported downward API resource " + resource);
    }
    BigDecimal divisor =
        selector.getDivisor() == null
            ? BigDecimal.ONE
            : Quantity.getAmountInBytes(selector.getDivisor());
    return value.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
  }

  /** {@code key="value"} lines, sorted, as the kubelet writes labels and annotations. */
  private static String lines(Map<String, String> map) {
    return map == null
        ? ""
        : new TreeMap<>(map)
            .entrySet().stream()
                .map(e -> e.getKey() + "=\"" + e.getValue().replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining("\n"));
  }
}
