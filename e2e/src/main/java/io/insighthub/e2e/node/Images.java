package io.insighthub.e2e.node;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The images the local node can run, by repository (any tag or digest): a stand-in for the
 * container runtime's image store. An image not listed cannot run, and a Pod naming it fails with
 * that reason.
 */
public final class Images {
  private final Map<String, LocalImage> byRepository;

  private Images(Map<String, LocalImage> byRepository) {
    this.byRepository = Map.copyOf(byRepository);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The local stand-in for {@code image}, if this node has one. */
  public Optional<LocalImage> find(String image) {
    return Optional.ofNullable(byRepository.get(repository(image)));
  }

  /** The repositories this node runs, for messages. */
  public String known() {
    return String.join(", ", new java.util.TreeSet<>(byRepository.keySet()));
  }

  /**
   * {@code ghcr.io/x/y:1.0@sha256:...} is {@code ghcr.io/x/y}; Docker Hub's implicit prefixes are
   * dropped, so {@code docker.io/library/postgres:17} is {@code postgres}.
   */
  static String repository(String image) {
    String name = image;
    int digest = name.indexOf('@');
    if (digest >= 0) {
      name = name.substring(0, digest);
    }
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      name = name.substring(0, colon);
    }
    for (String prefix : new String[] {"docker.io/library/", "docker.io/", "index.docker.io/"}) {
      if (name.startsWith(prefix)) {
        name = name.substring(prefix.length());
        break;
      }
    }
    return name;
  }

  /** Collects the images of a node. */
  public static final class Builder {
    private final Map<String, LocalImage> images = new LinkedHashMap<>();

    /** Runs {@code repository} (any tag) as {@code image}. */
    public Builder add(String repository, LocalImage image) {
      images.put(repository(repository), image);
      return this;
    }

    public Images build() {
      return new Images(images);
    }
  }
}
