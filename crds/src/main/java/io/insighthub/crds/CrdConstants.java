package io.insighthub.crds;

/**
 * Names shared by the API model, the operator and the workers: group, version, labels, conditions.
 */
public final class CrdConstants {
  public static final String GROUP = "data.insighthub.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String CATEGORY = "insighthub";

  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "insighthub-operator";
  public static final String LABEL_PIPELINE = GROUP + "/pipeline";
  public static final String LABEL_CDC_SOURCE = GROUP + "/cdc-source";
  public static final String LABEL_STRIMZI_CLUSTER = "strimzi.io/cluster";

  public static final String CONDITION_READY = "Ready";
  public static final String CONDITION_TOPICS_READY = "TopicsReady";
  public static final String CONDITION_WORKERS_READY = "WorkersReady";
  public static final String CONDITION_TRANSFORMS_SCHEDULED = "TransformsScheduled";
  public static final String CONDITION_FRESHNESS_SLA_MET = "FreshnessSLAMet";
  public static final String CONDITION_QUALITY_PASSING = "QualityPassing";
  public static final String CONDITION_PII_RETENTION_MET = "PiiRetentionMet";
  public static final String CONDITION_CONNECTOR_READY = "ConnectorReady";
  public static final String CONDITION_STREAMING = "Streaming";
  public static final String CONDITION_REPLICATION_SLOT_HEALTHY = "ReplicationSlotHealthy";

  /** Raw data that may hold PII is never kept longer than this, by policy. */
  public static final int MAX_PII_RETENTION_DAYS = 30;

  public static final int MAX_RAW_RETENTION_DAYS = 180;
  public static final int MAX_CURATED_RETENTION_DAYS = 3 * 365;

  private CrdConstants() {}
}
