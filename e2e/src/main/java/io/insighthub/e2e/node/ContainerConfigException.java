package io.insighthub.e2e.node;

/**
 * A container cannot start yet, as a kubelet reports with {@code CreateContainerConfigError}: a
 * ConfigMap, Secret or key it references is missing. Retried until it appears.
 */
final class ContainerConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  ContainerConfigException(String message) {
    super(message);
  }
}
