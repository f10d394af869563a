package io.insighthub.workers.validate;

import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.worker.WorkerConfig;
import java.nio.file.Path;
import java.util.List;

/** Fixtures: the product-events schema the validate tests use, and its worker configuration. */
public final class TestSchemas {
  private TestSchemas() {}

  /** event_id, occurred_at, event_type, account_id required; email, ip, device.os optional. */
  public static EventsSource productEvents() {
    EventsSource events = new EventsSource();
    EventField type = new EventField("event_type", EventField.Type.STRING, true);
    type.maxLength = 32;
    events.fields =
        List.of(
            new EventField("event_id", EventField.Type.STRING, true),
            new EventField("occurred_at", EventField.Type.TIMESTAMP, true),
            type,
            new EventField("account_id", EventField.Type.STRING, true),
            new EventField("user_id", EventField.Type.STRING, false),
            new EventField("device_id", EventField.Type.STRING, false),
            new EventField("email", EventField.Type.STRING, false),
            new EventField("ip", EventField.Type.STRING, false),
            new EventField("phone", EventField.Type.STRING, false),
            new EventField("amount", EventField.Type.NUMBER, false),
            new EventField("count", EventField.Type.INTEGER, false),
            new EventField("is_test", EventField.Type.BOOLEAN, false),
            new EventField("properties", EventField.Type.OBJECT, false),
            new EventField("tags", EventField.Type.ARRAY, false),
            new EventField("device.os", EventField.Type.STRING, false));
    events.keyFields = List.of("event_id");
    events.eventTimeField = "occurred_at";
    events.maxEventBytes = 4096;
    events.dedupWindow = "10m";
    events.allowedLateness = "1h";
    return events;
  }

  public static List<PiiField> pii() {
    return List.of(
        new PiiField("email", PiiField.Action.HASH),
        new PiiField("ip", PiiField.Action.DROP),
        new PiiField("phone", PiiField.Action.MASK));
  }

  public static WorkerConfig config(
      String bootstrap, String prefix, SchemaDriftCheck.Policy policy, Path hmacKeyFile) {
    return new WorkerConfig(
        WorkerConfig.CURRENT_VERSION,
        "it",
        prefix,
        new WorkerConfig.Kafka(
            bootstrap,
            prefix + ".raw",
            prefix + ".validated",
            prefix + ".dlq",
            prefix + ".late",
            WorkerConfig.WATERMARK_TOPIC),
        productEvents(),
        null,
        null,
        new WorkerConfig.Pii(pii(), hmacKeyFile.toString(), 30),
        List.of(),
        null,
        new WorkerConfig.Quality(policy, "1h", "10m", List.of()),
        null);
  }
}
