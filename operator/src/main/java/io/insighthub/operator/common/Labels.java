package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.insighthub.crds.CrdConstants;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every child carries (DESIGN.md section 5) and the selectors built from them. */
public final class Labels {
  public static final String NAME = "app.kubernetes.io/name";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String LAYER = CrdConstants.GROUP + "/layer";
  public static final String WORKER_NAME = "insighthub-worker";

  /** Selector of everything the operator manages, used by the child informers. */
  public static final String MANAGED_SELECTOR =
      CrdConstants.LABEL_MANAGED_BY + "=" + CrdConstants.MANAGED_BY_VALUE;

  private Labels() {}

  /** managed-by and the owning Pipeline's name. */
  public static Map<String, String> forPipeline(HasMetadata pipeline) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(CrdConstants.LABEL_MANAGED_BY, CrdConstants.MANAGED_BY_VALUE);
    labels.put(CrdConstants.LABEL_PIPELINE, pipeline.getMetadata().getName());
    return labels;
  }

  /** managed-by and the owning CdcSource's name. */
  public static Map<String, String> forCdcSource(HasMetadata source) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(CrdConstants.LABEL_MANAGED_BY, CrdConstants.MANAGED_BY_VALUE);
    labels.put(CrdConstants.LABEL_CDC_SOURCE, source.getMetadata().getName());
    return labels;
  }

  /** The labels of one worker's pods; the Deployment selects on all of them. */
  public static Map<String, String> forWorker(Map<String, String> owner, String stage) {
    Map<String, String> labels = new LinkedHashMap<>(owner);
    labels.put(NAME, WORKER_NAME);
    labels.put(COMPONENT, stage);
    return labels;
  }
}
