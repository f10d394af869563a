package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.insighthub.e2e.node.LocalImage.NotRunnable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A Pod's volumes as directories under the Pod's directory: ConfigMap, Secret, downwardAPI and
 * projected volumes (service-account tokens requested from the API server, bound to the Pod) hold
 * their keys as files, written as the kubelet writes them (items, modes, optional sources), and are
 * written again every minute, so a changed ConfigMap reaches a running Pod as on a cluster;
 * emptyDirs are empty directories whose {@code sizeLimit} the node enforces. ConfigMap text has the
 * Pod's mount paths rewritten ({@link PathRewriter}): a mounted config file naming another mounted
 * file finds it. Other volume types are refused with the reason.
 */
final class PodVolumes {
  private final KubernetesClient client;
  private final Pod pod;
  private final Path root;
  private final DownwardApi downward;
  private final Map<String, Path> dirs = new LinkedHashMap<>();
  private final Map<String, Quantity> sizeLimits = new LinkedHashMap<>();

  PodVolumes(KubernetesClient client, Pod pod, Path podDir, DownwardApi downward) {
    this.client = client;
    this.pod = pod;
    this.root = podDir.resolve("volumes");
    this.downward = downward;
  }

  /** Refuses volume types the node cannot provide, before anything is written. */
  static void check(Pod pod) throws NotRunnable {
    for (Volume v : Optional.ofNullable(pod.getSpec().getVolumes()).orElse(List.of())) {
      boolean supported =
          v.getConfigMap() != null
              || v.getSecret() != null
              || v.getEmptyDir() != null
              || v.getDownwardAPI() != null
              || v.getProjected() != null;
      if (!supported) {
        throw new NotRunnable(
            "volume "
                + v.getName()
                + ": the local node provides configMap, secret, emptyDir, downwardAPI and"
                + " projected volumes only");
      }
    }
  }

  /** Creates every volume's directory; {@link #write} then fills them. */
  void createDirectories() {
    for (Volume v : Optional.ofNullable(pod.getSpec().getVolumes()).orElse(List.of())) {
      Path dir = root.resolve(v.getName());
      dirs.put(v.getName(), dir);
      if (v.getEmptyDir() != null && v.getEmptyDir().getSizeLimit() != null) {
        sizeLimits.put(v.getName(), v.getEmptyDir().getSizeLimit());
      }
      mkdirs(dir);
    }
  }

  /**
   * Writes the files of every volume that has them, again at each call (ConfigMap and Secret
   * changes); a missing ConfigMap, Secret or key that is not optional throws (the Pod waits).
   */
  void write(PathRewriter rewriter) throws ContainerConfigException {
    for (Volume v : Optional.ofNullable(pod.getSpec().getVolumes()).orElse(List.of())) {
      Path dir = dirs.get(v.getName());
      Map<String, byte[]> files = new LinkedHashMap<>();
      Integer mode = null;
      if (v.getConfigMap() != null) {
        var source = v.getConfigMap();
        configMap(source.getName(), source.getItems(), source.getOptional(), rewriter, files);
        mode = source.getDefaultMode();
      } else if (v.getSecret() != null) {
        var source = v.getSecret();
        secret(source.getSecretName(), source.getItems(), source.getOptional(), files);
        mode = source.getDefaultMode();
      } else if (v.getDownwardAPI() != null) {
        downwardApi(v.getDownwardAPI().getItems(), files);
        mode = v.getDownwardAPI().getDefaultMode();
      } else if (v.getProjected() != null) {
        for (VolumeProjection source : v.getProjected().getSources()) {
          projection(source, rewriter, files);
        }
        mode = v.getProjected().getDefaultMode();
      } else {
        continue;
      }
      for (var file : files.entrySet()) {
        replace(dir.resolve(file.getKey()), file.getValue(), mode == null ? 0644 : mode);
      }
    }
  }

  /** The directory of a volume. */
  Path dir(String volume) {
    return dirs.get(volume);
  }

  /**
   * Mount path to local path for each of the container's mounts ({@code subPath} resolved in its
   * volume).
   */
  Map<String, Path> mounts(Container container) throws NotRunnable {
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (VolumeMount m : Optional.ofNullable(container.getVolumeMounts()).orElse(List.of())) {
      Path dir = dirs.get(m.getName());
      if (dir == null) {
        throw new NotRunnable(
            "container "
                + container.getName()
                + " mounts volume "
                + m.getName()
                + ", not in the Pod");
      }
      Path local =
          m.getSubPath() == null || m.getSubPath().isEmpty() ? dir : dir.resolve(m.getSubPath());
      mounts.put(m.getMountPath(), local);
    }
    return mounts;
  }

  /** The first emptyDir over its sizeLimit, as the kubelet's eviction message names it. */
  Optional<String> overLimit() {
    for (var limit : sizeLimits.entrySet()) {
      long used = usage(dirs.get(limit.getKey()));
      long allowed = Quantity.getAmountInBytes(limit.getValue()).longValue();
      if (used > allowed) {
        return Optional.of(
            "Usage of EmptyDir volume \""
                + limit.getKey()
                + "\" exceeds the limit \""
                + limit.getValue()
                + "\". ");
      }
    }
    return Optional.empty();
  }

  boolean hasSizeLimits() {
    return !sizeLimits.isEmpty();
  }

  private static long usage(Path dir) {
    try (var files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException gone) {
                  return 0;
                }
              })
          .sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  private void projection(VolumeProjection source, PathRewriter rewriter, Map<String, byte[]> files)
      throws ContainerConfigException {
    if (source.getConfigMap() != null) {
      var s = source.getConfigMap();
      configMap(s.getName(), s.getItems(), s.getOptional(), rewriter, files);
    } else if (source.getSecret() != null) {
      var s = source.getSecret();
      secret(s.getName(), s.getItems(), s.getOptional(), files);
    } else if (source.getDownwardAPI() != null) {
      downwardApi(source.getDownwardAPI().getItems(), files);
    } else if (source.getServiceAccountToken() != null) {
      var s = source.getServiceAccountToken();
      String account = Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "default");
      var request =
          new TokenRequestBuilder()
              .withNewSpec()
              .withAudiences(s.getAudience() == null ? List.of() : List.of(s.getAudience()))
              .withExpirationSeconds(Objects.requireNonNullElse(s.getExpirationSeconds(), 3600L))
              .withNewBoundObjectRef()
              .withApiVersion("v1")
              .withKind("Pod")
              .withName(pod.getMetadata().getName())
              .withUid(pod.getMetadata().getUid())
              .endBoundObjectRef()
              .endSpec()
              .build();
      try {
        var token =
            client
                .serviceAccounts()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(account)
                .tokenRequest(request);
        files.put(s.getPath(), token.getStatus().getToken().getBytes(StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        throw new ContainerConfigException(
            "cannot request a token of serviceaccount " + account + ": " + e.getMessage());
      }
    }
  }

  private void configMap(
      String name,
      List<KeyToPath> items,
      Boolean optional,
      PathRewriter rewriter,
      Map<String, byte[]> files)
      throws ContainerConfigException {
    ConfigMap cm =
        client.configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
    if (cm == null) {
      if (Boolean.TRUE.equals(optional)) {
        return;
      }
      throw new ContainerConfigException("configmap \"" + name + "\" not found");
    }
    Map<String, byte[]> data = new LinkedHashMap<>();
    Optional.ofNullable(cm.getData())
        .orElse(Map.of())
        .forEach((k, v) -> data.put(k, rewriter.rewrite(v).getBytes(StandardCharsets.UTF_8)));
    Optional.ofNullable(cm.getBinaryData())
        .orElse(Map.of())
        .forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    select("configmap", name, data, items, optional, files);
  }

  private void secret(
      String name, List<KeyToPath> items, Boolean optional, Map<String, byte[]> files)
      throws ContainerConfigException {
    Secret secret =
        client.secrets().inNamespace(pod.getMetadata().getNamespace()).withName(name).get();
    if (secret == null) {
      if (Boolean.TRUE.equals(optional)) {
        return;
      }
      throw new ContainerConfigException("secret \"" + name + "\" not found");
    }
    select("secret", name, Secrets.bytes(secret), items, optional, files);
  }

  private static void select(
      String kind,
      String name,
      Map<String, byte[]> data,
      List<KeyToPath> items,
      Boolean optional,
      Map<String, byte[]> files)
      throws ContainerConfigException {
    if (items == null || items.isEmpty()) {
      files.putAll(data);
      return;
    }
    for (KeyToPath item : items) {
      byte[] value = data.get(item.getKey());
      if (value == null) {
        if (Boolean.TRUE.equals(optional)) {
          continue;
        }
        throw new ContainerConfigException(
            "couldn't find key " + item.getKey() + " in " + kind + " " + name);
      }
      files.put(item.getPath(), value);
    }
  }

  private void downwardApi(List<DownwardAPIVolumeFile> items, Map<String, byte[]> files)
      throws ContainerConfigException {
    for (DownwardAPIVolumeFile item : Optional.ofNullable(items).orElse(List.of())) {
      String value;
      if (item.getFieldRef() != null) {
        value = downward.field(item.getFieldRef());
      } else if (item.getResourceFieldRef() != null) {
        String name = item.getResourceFieldRef().getContainerName();
        Container container =
            pod.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(name))
                .findFirst()
                .orElseThrow(
                    () ->
                        new ContainerConfigException(
                            "downwardAPI item " + item.getPath() + ": no container " + name));
        value = downward.resource(container, item.getResourceFieldRef());
      } else {
        continue;
      }
      files.put(item.getPath(), value.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Writes {@code file} whole, then moves it in place: a reader never sees half a file. */
  private static void replace(Path file, byte[] content, int mode) {
    try {
      Files.createDirectories(file.getParent());
      if (Files.exists(file) && java.util.Arrays.equals(Files.readAllBytes(file), content)) {
        return;
      }
      Path temp = Files.createTempFile(file.getParent(), ".", ".tmp");
      Files.write(temp, content);
      Files.setPosixFilePermissions(temp, permissions(mode));
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(order[bit]);
      }
    }
    // The node's own processes run as this user: it must be able to read what it mounts.
    set.add(PosixFilePermission.OWNER_READ);
    return set;
  }

  private static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }
}
