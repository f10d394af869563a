package io.insighthub.operator.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.PiiSpec;
import io.insighthub.crds.v1alpha1.SecretKeyRef;
import io.insighthub.operator.testing.Samples;
import io.strimzi.api.kafka.model.common.ConnectorState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DebeziumConnectorConfigTest {
  final CdcSource source = Samples.cdcSource("billing-db");

  @Test
  void credentialsAreOnlyStrimziSecretPlaceholders() {
    Map<String, Object> config = DebeziumConnectorConfig.build(source);

    assertThat(config)
        .containsEntry("database.user", "${secrets:analytics/billing-db-debezium:username}")
        .containsEntry("database.password", "${secrets:analytics/billing-db-debezium:password}");
  }

  @Test
  void capturesThroughPgoutputWithTheSpecsSlotPublicationAndTables() {
    Map<String, Object> config = DebeziumConnectorConfig.build(source);

    assertThat(config)
        .containsEntry("plugin.name", "pgoutput")
        .containsEntry("slot.name", "insighthub_billing")
        .containsEntry("publication.name", "insighthub_billing")
        .containsEntry("publication.autocreate.mode", "filtered")
        .containsEntry("table.include.list", "public.accounts,public.subscriptions,public.invoices")
        .containsEntry("snapshot.mode", "initial")
        .containsEntry("heartbeat.interval.ms", 10_000L)
        .containsEntry("poll.interval.ms", 100L)
        .containsEntry("signal.data.collection", "public.debezium_signal")
        .containsEntry("topic.prefix", "analytics.billing-db")
        .containsEntry("database.sslmode", "require")
        .containsEntry("decimal.handling.mode", "precise")
        .containsEntry("value.converter.schemas.enable", true)
        .containsEntry("tombstones.on.delete", false)
        .doesNotContainKeys("connector.class", "tasks.max");
  }

  @Test
  void piiColumnsAreDroppedOrMaskedBeforeKafka() {
    source.getSpec().pii = new PiiSpec();
    source.getSpec().pii.fields =
        List.of(
            new PiiField("public.accounts.email", PiiField.Action.MASK),
            new PiiField("public.accounts.phone", PiiField.Action.DROP),
            new PiiField("public.invoices.billing_email", PiiField.Action.HASH));
    source.getSpec().pii.hashKeySecretRef = new SecretKeyRef("pii-hmac-key", null);

    Map<String, Object> config = DebeziumConnectorConfig.build(source);

    assertThat(config)
        .containsEntry("column.exclude.list", "public.accounts.phone")
        .containsEntry("column.mask.with.8.chars", "public.accounts.email");
    assertThat(config.keySet()).noneMatch(k -> k.startsWith("column.mask.hash"));
    assertThat(config.toString()).doesNotContain("pii-hmac-key");
  }

  @Test
  void aSuspendedSourceStopsItsConnectorWhichAlwaysAutoRestarts() {
    assertThat(ConnectorBuilder.build(source).getSpec().getState())
        .isEqualTo(ConnectorState.RUNNING);
    source.getSpec().suspend = true;

    var connector = ConnectorBuilder.build(source);

    assertThat(connector.getSpec().getState()).isEqualTo(ConnectorState.STOPPED);
    assertThat(connector.getSpec().getAutoRestart().isEnabled()).isTrue();
    assertThat(connector.getMetadata().getLabels())
        .containsEntry("strimzi.io/cluster", "insighthub-connect");
  }
}
