package io.insighthub.operator.cdc;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.CdcSourceSpec;
import io.insighthub.operator.common.Labels;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the short Job that drops a deleted CdcSource's logical replication slot with psql (a
 * forgotten slot pins WAL, and fills the database's disk). The credentials reach psql as
 * environment from the CdcSource's Secret; the slot name is a validated identifier.
 */
public final class SlotCleanupJobBuilder {
  public static final String COMPONENT = "drop-replication-slot";

  private SlotCleanupJobBuilder() {}

  public static String name(CdcSource source) {
    return source.getMetadata().getName() + "-drop-slot";
  }

  /** Drops the slot if it still exists; succeeds when it is already gone. */
  public static String sql(CdcSource source) {
    // slotName matches ^[a-z0-9_]+$ (CRD pattern), so it is safe inside a SQL literal.
    String slot = source.getSpec().slotName;
    return "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
        + " WHERE slot_name = '"
        + slot
        + "'";
  }

  public static Job build(CdcSource source, String image) {
    CdcSourceSpec spec = source.getSpec();
    Map<String, String> labels = Labels.forWorker(Labels.forCdcSource(source), COMPONENT);
    String secret = spec.database.credentialsSecretRef.name;
    List<EnvVar> env =
        List.of(
            value("PGHOST", spec.database.host),
            value("PGPORT", Integer.toString(spec.database.port)),
            value("PGDATABASE", spec.database.name),
            value(
                "PGSSLMODE",
                spec.database.sslMode.name().toLowerCase(Locale.ROOT).replace('_', '-')),
            value("PGCONNECT_TIMEOUT", "10"),
            fromSecret("PGUSER", secret, "username"),
            fromSecret("PGPASSWORD", secret, "password"));
    return new JobBuilder()
        .withNewMetadata()
        .withName(name(source))
        .withNamespace(source.getMetadata().getNamespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(3)
        .withActiveDeadlineSeconds(300L)
        .withTtlSecondsAfterFinished(3600)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(70L)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName(COMPONENT)
        .withImage(image)
        .withCommand("psql", "-v", "ON_ERROR_STOP=1", "-c", sql(source))
        .withEnv(env)
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static EnvVar value(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar fromSecret(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }
}
