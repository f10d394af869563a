package io.insighthub.operator.cdc;

import io.insighthub.crds.v1alpha1.CdcSource;

/** The Debezium change topics of a CdcSource: {@code <prefix>.<schema>.<table>}. */
public final class CdcTopics {
  private CdcTopics() {}

  /** spec.topicPrefix, or {@code <namespace>.<name>} when unset. */
  public static String prefix(CdcSource source) {
    return source.getSpec().topicPrefix != null
        ? source.getSpec().topicPrefix
        : source.getMetadata().getNamespace() + "." + source.getMetadata().getName();
  }
}
