package io.insighthub.workers.cdc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Debezium PostgreSQL connector configuration of the CDC test bed, in this one place.
 *
 * <p>TODO(issue 3): replace with the operator's renderer (package io.insighthub.operator.cdc) once
 * it is merged, so the tests run exactly the configuration the operator renders for a CdcSource; it
 * is not on this branch yet.
 */
final class DebeziumTestConfig {
  private DebeziumTestConfig() {}

  static Map<String, String> connector(
      String host,
      int port,
      String database,
      String topicPrefix,
      List<String> tables,
      String slot,
      String publication) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    config.put("tasks.max", "1");
    config.put("database.hostname", host);
    config.put("database.port", String.valueOf(port));
    config.put("database.user", "postgres");
    config.put("database.password", "unused-trust-auth");
    config.put("database.dbname", database);
    config.put("topic.prefix", topicPrefix);
    config.put("table.include.list", String.join(",", tables));
    config.put("plugin.name", "pgoutput");
    config.put("slot.name", slot);
    config.put("publication.name", publication);
    config.put("publication.autocreate.mode", "filtered");
    config.put("snapshot.mode", "initial");
    config.put("heartbeat.interval.ms", "1000");
    config.put("tombstones.on.delete", "true");
    config.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("key.converter.schemas.enable", "true");
    config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("value.converter.schemas.enable", "true");
    return config;
  }
}
