package io.insighthub.operator.cdc;

import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.CdcSourceSpec;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.operator.common.Durations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Debezium PostgreSQL connector configuration of a CdcSource, as the {@code config} of a
 * Strimzi KafkaConnector. Credentials appear only as placeholders of Strimzi's
 * KubernetesSecretConfigProvider ({@code ${secrets:<ns>/<secret>:username}}), resolved by Kafka
 * Connect when the task starts. Pure: callable by any module (the warehouse tests run it against a
 * real Connect).
 */
public final class DebeziumConnectorConfig {
  public static final String CONNECTOR_CLASS = "io.debezium.connector.postgresql.PostgresConnector";
  public static final String JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";

  /** Characters a masked column keeps: none, a fixed-width mask replaces the whole value. */
  static final int MASK_WIDTH = 8;

  private DebeziumConnectorConfig() {}

  /** The connector config, in a stable order; connector.class and tasks.max are not in it. */
  public static Map<String, Object> build(CdcSource source) {
    CdcSourceSpec spec = source.getSpec();
    String ns = source.getMetadata().getNamespace();
    String secret = spec.database.credentialsSecretRef.name;
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("database.hostname", spec.database.host);
    config.put("database.port", spec.database.port);
    config.put("database.dbname", spec.database.name);
    config.put("database.user", placeholder(ns, secret, "username"));
    config.put("database.password", placeholder(ns, secret, "password"));
    config.put(
        "database.sslmode",
        spec.database.sslMode.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    config.put("plugin.name", "pgoutput");
    config.put("slot.name", spec.slotName);
    config.put("publication.name", spec.publicationName);
    // Only the captured tables are published; a publication covering all tables needs superuser.
    config.put("publication.autocreate.mode", "filtered");
    config.put("table.include.list", String.join(",", spec.tables));
    config.put("snapshot.mode", spec.snapshotMode.name().toLowerCase(Locale.ROOT));
    config.put("heartbeat.interval.ms", Durations.parse(spec.heartbeatInterval).toMillis());
    // The task waits up to poll.interval.ms (500 ms by default) for a full max.batch.size batch
    // before it hands fewer changes to Connect: at a steady trickle that wait was the connector's
    // whole share of cdc-load's commit-to-warehouse latency (BENCHMARKS.md). A full batch still
    // goes at once under load; an idle task wakes ten times a second instead of twice.
    config.put("poll.interval.ms", 100L);
    if (spec.signalTable != null) {
      config.put("signal.enabled.channels", "source");
      config.put("signal.data.collection", spec.signalTable);
    }
    config.put("topic.prefix", CdcTopics.prefix(source));
    config.put("key.converter", JSON_CONVERTER);
    // cdc-load creates and evolves typed warehouse columns from the schemas in the events.
    config.put("key.converter.schemas.enable", true);
    config.put("value.converter", JSON_CONVERTER);
    config.put("value.converter.schemas.enable", true);
    // cdc-load applies deletes from the delete event itself; tombstones would only add nulls.
    config.put("tombstones.on.delete", false);
    // Money and other NUMERICs stay exact (JSON doubles would round them) and keep their scale,
    // which cdc-load reads from the Decimal schema to create DECIMAL columns.
    config.put("decimal.handling.mode", "precise");
    config.put("time.precision.mode", "adaptive_time_microseconds");
    pii(spec, config);
    return config;
  }

  /** The Strimzi KubernetesSecretConfigProvider placeholder of one Secret key. */
  public static String placeholder(String namespace, String secret, String key) {
    return "${secrets:" + namespace + "/" + secret + ":" + key + "}";
  }

  /**
   * Dropped columns never leave the database; masked ones leave as a fixed mask. Hashed columns are
   * HMAC'd by cdc-load with the key from its mounted Secret: Debezium's own hashing takes its salt
   * in the property name, which would publish the key in the KafkaConnector.
   */
  private static void pii(CdcSourceSpec spec, Map<String, Object> config) {
    if (spec.pii == null || spec.pii.fields.isEmpty()) {
      return;
    }
    List<String> dropped = columns(spec, PiiField.Action.DROP);
    if (!dropped.isEmpty()) {
      config.put("column.exclude.list", String.join(",", dropped));
    }
    List<String> masked = columns(spec, PiiField.Action.MASK);
    if (!masked.isEmpty()) {
      config.put("column.mask.with." + MASK_WIDTH + ".chars", String.join(",", masked));
    }
  }

  private static List<String> columns(CdcSourceSpec spec, PiiField.Action action) {
    return spec.pii.fields.stream().filter(f -> f.action == action).map(f -> f.field).toList();
  }
}
