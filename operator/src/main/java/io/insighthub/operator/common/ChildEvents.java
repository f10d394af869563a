package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.insighthub.operator.OperatorConfig;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events on a primary resource: its children created, updated or deleted, and
 * the problems that keep it from being Ready. An Event that cannot be written is only logged.
 */
public final class ChildEvents {
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  private static final Logger LOG = LoggerFactory.getLogger(ChildEvents.class);

  private final KubernetesClient client;

  public ChildEvents(KubernetesClient client) {
    this.client = client;
  }

  /** A child was created: added to the reconcile's {@link ChildEventBatch}, else recorded now. */
  public static void created(Context<?> context, HasMetadata primary, HasMetadata child) {
    child(context, primary, child, "Created", "");
  }

  public static void updated(Context<?> context, HasMetadata primary, HasMetadata child) {
    child(context, primary, child, "Updated", "");
  }

  public static void deleted(Context<?> context, HasMetadata primary, HasMetadata child) {
    child(context, primary, child, "Deleted", ": no longer in the spec");
  }

  private static void child(
      Context<?> context, HasMetadata primary, HasMetadata child, String reason, String suffix) {
    ChildEventBatch.of(context)
        .ifPresentOrElse(
            batch -> batch.add(reason, child),
            () ->
                new ChildEvents(context.getClient())
                    .record(primary, NORMAL, reason, reason + " " + describe(child) + suffix));
  }

  public void warning(HasMetadata primary, String reason, String message) {
    record(primary, WARNING, reason, message);
  }

  /** Writes one Event about {@code primary}. */
  public void record(HasMetadata primary, String type, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(primary.getMetadata().getName() + ".")
            .withNamespace(primary.getMetadata().getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(primary.getApiVersion())
                    .withKind(primary.getKind())
                    .withName(primary.getMetadata().getName())
                    .withNamespace(primary.getMetadata().getNamespace())
                    .withUid(primary.getMetadata().getUid())
                    .build())
            .withType(type)
            .withReason(reason)
            .withMessage(message)
            .withNewSource()
            .withComponent(OperatorConfig.FIELD_MANAGER)
            .endSource()
            .withReportingComponent(OperatorConfig.FIELD_MANAGER)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    try {
      client
          .v1()
          .events()
          .inNamespace(primary.getMetadata().getNamespace())
          .resource(event)
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "Could not record event {} on {}/{}: {}",
          reason,
          primary.getKind(),
          primary.getMetadata().getName(),
          e.getMessage());
    }
  }

  private static String describe(HasMetadata child) {
    return child.getKind() + " " + child.getMetadata().getName();
  }
}
