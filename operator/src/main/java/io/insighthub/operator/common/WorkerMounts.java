package io.insighthub.operator.common;

import io.insighthub.crds.worker.WorkerConfig;

/** Where worker pods find their configuration and the Secrets they reference, by contract. */
public final class WorkerMounts {
  public static final String SECRETS_ROOT = "/var/run/secrets/insighthub";

  /** The sink's connection Secret: one file per key (url, user, private-key or password). */
  public static final String SINK_DIR = SECRETS_ROOT + "/sink";

  /** The PII HMAC key Secret. */
  public static final String PII_KEY_DIR = SECRETS_ROOT + "/pii-hash-key";

  public static final String DEFAULT_HASH_KEY = "hmac-key";

  /** Kafka Streams state (aggregate) and temporary files, on emptyDir volumes. */
  public static final String STATE_DIR = "/var/lib/insighthub";

  public static final String TMP_DIR = "/tmp";
  public static final int METRICS_PORT = WorkerConfig.METRICS_PORT;
  public static final String METRICS_PORT_NAME = "metrics";

  private WorkerMounts() {}
}
