package io.insighthub.operator.cdc;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.CdcSourceSpec;
import io.insighthub.operator.common.Conditions;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the WAL a CdcSource's logical replication slot retains ({@code pg_current_wal_lsn() -
 * restart_lsn} from {@code pg_replication_slots}) against {@code spec.maxRetainedWal}, logging in
 * with the username and password of {@code spec.database.credentialsSecretRef} (the keys the
 * connector and the slot-cleanup Job use). The Secret is read at each measurement and not kept;
 * neither the credentials nor PostgreSQL's error texts (which can name the user) reach a log, an
 * Event or the status: failures are reported by their SQLSTATE class. A database that cannot be
 * reached gives Unknown, not an exception: JOSDK polls again after the configured interval.
 */
public final class ReplicationSlotProbe
    implements PerResourcePollingEventSource.ResourceFetcher<SlotMeasurement, CdcSource> {
  static final int CONNECT_TIMEOUT_SECONDS = 5;
  static final int QUERY_TIMEOUT_SECONDS = 10;
  static final String QUERY =
      "SELECT wal_status, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint"
          + " FROM pg_replication_slots WHERE slot_name = ?";

  private static final Logger LOG = LoggerFactory.getLogger(ReplicationSlotProbe.class);

  private final KubernetesClient client;

  public ReplicationSlotProbe(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Set<SlotMeasurement> fetchResources(CdcSource source) {
    try {
      return Set.of(measure(source));
    } catch (RuntimeException e) {
      // Never let one CdcSource's surprise stop its polling; the type names the surprise.
      LOG.warn(
          "CdcSource {}/{}: slot not measured: {}",
          source.getMetadata().getNamespace(),
          source.getMetadata().getName(),
          e.getClass().getSimpleName());
      return Set.of(
          unknown(
              "SlotQueryFailed",
              "Measuring replication slot "
                  + source.getSpec().slotName
                  + " failed: "
                  + e.getClass().getSimpleName()));
    }
  }

  public SlotMeasurement measure(CdcSource source) {
    CdcSourceSpec spec = source.getSpec();
    String ns = source.getMetadata().getNamespace();
    String slot = spec.slotName;
    String where =
        spec.database.host + ":" + spec.database.port + " (database " + spec.database.name + ")";
    String secretName = spec.database.credentialsSecretRef.name;
    Secret secret;
    try {
      secret = client.secrets().inNamespace(ns).withName(secretName).get();
    } catch (KubernetesClientException e) {
      return unknown(
          "CredentialsUnreadable",
          "Cannot read Secret "
              + secretName
              + " (spec.database.credentialsSecretRef): HTTP "
              + e.getCode());
    }
    String user = value(secret, "username");
    String password = value(secret, "password");
    if (user == null || password == null) {
      return unknown(
          "CredentialsNotFound",
          "Secret "
              + secretName
              + " (spec.database.credentialsSecretRef) is missing or has no username and password");
    }
    long threshold = threshold(spec);
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    props.setProperty(
        "sslmode", spec.database.sslMode.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    props.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
    props.setProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
    props.setProperty("socketTimeout", Integer.toString(QUERY_TIMEOUT_SECONDS));
    props.setProperty("ApplicationName", "insighthub-operator");
    props.setProperty("assumeMinServerVersion", "10");
    String url =
        "jdbc:postgresql://"
            + spec.database.host
            + ":"
            + spec.database.port
            + "/"
            + spec.database.name;
    try (Connection connection = DriverManager.getConnection(url, props);
        PreparedStatement query = connection.prepareStatement(QUERY)) {
      query.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      query.setString(1, slot);
      try (ResultSet row = query.executeQuery()) {
        if (!row.next()) {
          return new SlotMeasurement(
              Conditions.FALSE,
              "SlotNotFound",
              "Replication slot "
                  + slot
                  + " does not exist on "
                  + where
                  + "; Debezium creates it when the connector first starts",
              null);
        }
        String walStatus = row.getString(1);
        long retained = row.getLong(2);
        boolean measured = !row.wasNull();
        if ("lost".equals(walStatus) || !measured) {
          return new SlotMeasurement(
              Conditions.FALSE,
              "SlotInvalidated",
              "Replication slot "
                  + slot
                  + " on "
                  + where
                  + " lost WAL it needed (wal_status "
                  + walStatus
                  + "); the connector must take a new snapshot",
              null);
        }
        String amount = SlotLag.format(retained);
        if (retained > threshold) {
          return new SlotMeasurement(
              Conditions.FALSE,
              "RetainedWalAboveThreshold",
              "Replication slot "
                  + slot
                  + " retains "
                  + amount
                  + " of WAL, over spec.maxRetainedWal "
                  + spec.maxRetainedWal
                  + ": its consumer is stopped or behind, and the database's disk fills",
              retained);
        }
        return new SlotMeasurement(
            Conditions.TRUE,
            "RetainedWalBelowThreshold",
            "Replication slot "
                + slot
                + " retains "
                + amount
                + " of WAL, under spec.maxRetainedWal "
                + spec.maxRetainedWal,
            retained);
      }
    } catch (SQLException e) {
      SlotMeasurement failure = failure(e, where);
      LOG.info(
          "CdcSource {}/{}: slot {} not measured: {}",
          ns,
          source.getMetadata().getName(),
          slot,
          failure.message());
      return failure;
    }
  }

  /** A failure by its SQLSTATE class only: PostgreSQL's own texts may name the user. */
  static SlotMeasurement failure(SQLException e, String where) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String code = state.isEmpty() ? "" : " (SQLSTATE " + state + ")";
    if (state.startsWith("28")) {
      return unknown(
          "DatabaseLoginFailed",
          "PostgreSQL at "
              + where
              + " refused the login of spec.database.credentialsSecretRef"
              + code);
    }
    if (state.startsWith("08") || state.isEmpty()) {
      return unknown("DatabaseUnreachable", "Cannot connect to PostgreSQL at " + where + code);
    }
    if (state.equals("3D000")) {
      return unknown("DatabaseUnreachable", "PostgreSQL at " + where + ": no such database" + code);
    }
    return unknown(
        "SlotQueryFailed", "Reading pg_replication_slots on " + where + " failed" + code);
  }

  private static SlotMeasurement unknown(String reason, String message) {
    return new SlotMeasurement(Conditions.UNKNOWN, reason, message, null);
  }

  static long threshold(CdcSourceSpec spec) {
    return Quantity.getAmountInBytes(new Quantity(spec.maxRetainedWal)).longValueExact();
  }

  private static String value(Secret secret, String key) {
    if (secret == null) {
      return null;
    }
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
    }
    Map<String, String> stringData = secret.getStringData();
    return stringData == null ? null : stringData.get(key);
  }
}
