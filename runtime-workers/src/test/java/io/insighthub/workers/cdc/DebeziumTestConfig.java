package io.insighthub.workers.cdc;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.CdcSourceSpec;
import io.insighthub.crds.v1alpha1.DatabaseSpec;
import io.insighthub.crds.v1alpha1.ObjectRef;
import io.insighthub.crds.v1alpha1.SecretKeyRef;
import io.insighthub.crds.v1alpha1.SinkSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.connect.KafkaConnect;
import io.insighthub.operator.cdc.DebeziumConnectorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The connector configuration the CDC tests run: a CdcSource for the test database, rendered by the
 * operator's own {@link DebeziumConnectorConfig}, with its credentials Secret handed to the test
 * Connect worker's config provider as Strimzi's would resolve it.
 */
final class DebeziumTestConfig {
  private static final String NAMESPACE = "it";
  private static final String CREDENTIALS = "cdc-credentials";

  private DebeziumTestConfig() {}

  /** Puts the connector {@code name} for {@code tables} and waits until it and its task run. */
  static void startConnector(
      KafkaConnect connect,
      String host,
      int port,
      String name,
      String topicPrefix,
      List<String> tables,
      String slot,
      String publication) {
    connect.putConnector(
        name, connector(connect, host, port, name, topicPrefix, tables, slot, publication));
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(90))
        .until(() -> connect.status(name), s -> s.equals("RUNNING [RUNNING]"));
  }

  /**
   * The cdc-load configuration for {@code tables} under {@code topicPrefix}, soft deletes, into
   * {@code ANALYTICS.RAW} of the DuckDB file {@code <dir>/<topicPrefix>.duckdb} (its connection
   * Secret written to {@code <dir>/<topicPrefix>/url}), watermarks to {@code watermarkTopic}.
   */
  static WorkerConfig cdcLoad(
      String bootstrap,
      String namespace,
      String name,
      String topicPrefix,
      List<String> tables,
      String watermarkTopic,
      Path dir)
      throws IOException {
    Path secret = Files.createDirectories(dir.resolve(topicPrefix));
    Files.writeString(secret.resolve("url"), "jdbc:duckdb:" + dir.resolve(topicPrefix + ".duckdb"));
    return new WorkerConfig(
        WorkerConfig.CURRENT_VERSION,
        namespace,
        name,
        new WorkerConfig.Kafka(bootstrap, null, null, null, null, watermarkTopic),
        null,
        new WorkerConfig.Cdc(topicPrefix, tables, CdcSourceSpec.DeleteMode.SOFT),
        null,
        null,
        List.of(),
        new WorkerConfig.Sink(secret.toString(), "ANALYTICS", "RAW", null, SinkSpec.Mode.MERGE),
        null,
        null);
  }

  static Map<String, String> connector(
      KafkaConnect connect,
      String host,
      int port,
      String database,
      String topicPrefix,
      List<String> tables,
      String slot,
      String publication) {
    connect.putSecret(
        NAMESPACE, CREDENTIALS, Map.of("username", "postgres", "password", "unused-trust-auth"));
    CdcSource source = new CdcSource();
    source.setMetadata(new ObjectMetaBuilder().withNamespace(NAMESPACE).withName(database).build());
    CdcSourceSpec spec = new CdcSourceSpec();
    spec.database = new DatabaseSpec();
    spec.database.host = host;
    spec.database.port = port;
    spec.database.name = database;
    spec.database.sslMode = DatabaseSpec.SslMode.DISABLE;
    spec.database.credentialsSecretRef = new ObjectRef(CREDENTIALS);
    spec.tables = tables;
    spec.slotName = slot;
    spec.publicationName = publication;
    spec.topicPrefix = topicPrefix;
    spec.heartbeatInterval = "1s";
    spec.connectCluster = "local";
    spec.sink = new SinkSpec();
    spec.sink.connectionSecretRef = new SecretKeyRef("warehouse", null);
    spec.sink.database = "ANALYTICS";
    source.setSpec(spec);

    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", DebeziumConnectorConfig.CONNECTOR_CLASS);
    config.put("tasks.max", "1");
    DebeziumConnectorConfig.build(source).forEach((k, v) -> config.put(k, String.valueOf(v)));
    return config;
  }
}
