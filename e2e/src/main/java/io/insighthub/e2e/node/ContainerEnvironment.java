package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet builds it: the API server's address under the names
 * in-cluster clients read ({@code KUBERNETES_SERVICE_HOST}/{@code _PORT}, here its loopback
 * address), {@code envFrom} sources in order (with their prefix, skipping keys that are not
 * variable names), then {@code env} entries, literal values with {@code $(VAR)} expanded and the
 * Pod's mount paths rewritten, the rest from ConfigMap and Secret keys and the downward API.
 */
final class ContainerEnvironment {
  private static final Pattern NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  private ContainerEnvironment() {}

  static Map<String, String> resolve(
      KubernetesClient client,
      Pod pod,
      Container container,
      DownwardApi downward,
      PathRewriter rewriter,
      Map<String, String> service)
      throws ContainerConfigException {
    String namespace = pod.getMetadata().getNamespace();
    Map<String, String> env = new LinkedHashMap<>(service);
    for (EnvFromSource from : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
      String prefix = Optional.ofNullable(from.getPrefix()).orElse("");
      Map<String, String> values;
      if (from.getConfigMapRef() != null) {
        ConfigMap cm =
            client
                .configMaps()
                .inNamespace(namespace)
                .withName(from.getConfigMapRef().getName())
                .get();
        if (cm == null) {
          if (Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
            continue;
          }
          throw new ContainerConfigException(
              "configmap \"" + from.getConfigMapRef().getName() + "\" not found");
        }
        values = Optional.ofNullable(cm.getData()).orElse(Map.of());
      } else if (from.getSecretRef() != null) {
        Secret secret =
            client.secrets().inNamespace(namespace).withName(from.getSecretRef().getName()).get();
        if (secret == null) {
          if (Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
            continue;
          }
          throw new ContainerConfigException(
              "secret \"" + from.getSecretRef().getName() + "\" not found");
        }
        values = Secrets.text(secret);
      } else {
        continue;
      }
      values.forEach(
          (k, v) -> {
            if (NAME.matcher(prefix + k).matches()) {
              env.put(prefix + k, v);
            }
          });
    }
    for (EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
      String value = value(client, namespace, pod, container, var, downward, rewriter, env);
      if (value != null) {
        env.put(var.getName(), value);
      }
    }
    return env;
  }

  private static String value(
      KubernetesClient client,
      String namespace,
      Pod pod,
      Container container,
      EnvVar var,
      DownwardApi downward,
      PathRewriter rewriter,
      Map<String, String> defined)
      throws ContainerConfigException {
    if (var.getValueFrom() == null) {
      return rewriter.rewrite(expand(Optional.ofNullable(var.getValue()).orElse(""), defined));
    }
    var from = var.getValueFrom();
    if (from.getFieldRef() != null) {
      return downward.field(from.getFieldRef());
    }
    if (from.getResourceFieldRef() != null) {
      return downward.resource(container, from.getResourceFieldRef());
    }
    if (from.getConfigMapKeyRef() != null) {
      var ref = from.getConfigMapKeyRef();
      ConfigMap cm = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
      String value = cm == null || cm.getData() == null ? null : cm.getData().get(ref.getKey());
      if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
        throw new ContainerConfigException(
            cm == null
                ? "configmap \"" + ref.getName() + "\" not found"
                : "couldn't find key "
                    + ref.getKey()
                    + " in ConfigMap "
                    + namespace
                    + "/"
                    + ref.getName());
      }
      return value;
    }
    if (from.getSecretKeyRef() != null) {
      var ref = from.getSecretKeyRef();
      Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
      String value = secret == null ? null : Secrets.text(secret).get(ref.getKey());
      if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
        throw new ContainerConfigException(
            secret == null
                ? "secret \"" + ref.getName() + "\" not found"
                : "couldn't find key "
                    + ref.getKey()
                    + " in Secret "
                    + namespace
                    + "/"
                    + ref.getName());
      }
      return value;
    }
    throw new ContainerConfigException(
        "env " + var.getName() + " of pod " + pod.getMetadata().getName() + ": unsupported source");
  }

  /**
   * Kubernetes' {@code $(VAR)} expansion: defined names replaced, {@code $$} an escaped {@code $}.
   */
  static String expand(String text, Map<String, String> defined) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '$' && i + 1 < text.length()) {
        char next = text.charAt(i + 1);
        if (next == '$') {
          out.append('$');
          i++;
          continue;
        }
        if (next == '(') {
          int end = text.indexOf(')', i + 2);
          if (end > 0) {
            String name = text.substring(i + 2, end);
            if (defined.containsKey(name)) {
              out.append(defined.get(name));
              i = end;
              continue;
            }
          }
        }
      }
      out.append(c);
    }
    return out.toString();
  }
}
