package io.insighthub.workers.aggregate;

import io.insighthub.crds.v1alpha1.AggregateSpec;
import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.SessionizeSpec;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.validate.OutputHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Fixtures: an aggregate worker configuration and validated events as validate writes them. */
final class AggregateFixtures {
  private AggregateFixtures() {}

  static WorkerConfig config(String bootstrap, String pipeline) {
    EventsSource events = new EventsSource();
    events.fields = List.of(new EventField("event_id", EventField.Type.STRING, true));
    events.eventTimeField = "occurred_at";
    TransformSpec sessions = new TransformSpec();
    sessions.name = "sessions";
    sessions.type = TransformSpec.Type.SESSIONIZE;
    sessions.sessionize = new SessionizeSpec();
    TransformSpec usage = new TransformSpec();
    usage.name = "account-usage";
    usage.type = TransformSpec.Type.AGGREGATE;
    usage.aggregate = new AggregateSpec();
    return new WorkerConfig(
        WorkerConfig.CURRENT_VERSION,
        "it",
        pipeline,
        new WorkerConfig.Kafka(
            bootstrap,
            pipeline + ".raw",
            pipeline + ".validated",
            pipeline + ".dlq",
            pipeline + ".late",
            WorkerConfig.WATERMARK_TOPIC),
        events,
        null,
        null,
        null,
        List.of(sessions, usage),
        null,
        new WorkerConfig.Quality(null, "1h", "10m", List.of()),
        null);
  }

  /** A validated record: JSON value keyed by event id, event time in its header. */
  static ProducerRecord<byte[], byte[]> event(
      String topic,
      String id,
      String time,
      String account,
      String user,
      String device,
      String type,
      String platform) {
    long millis = Instant.parse(time).toEpochMilli();
    StringBuilder json =
        new StringBuilder("{\"event_id\":\"" + id + "\",\"occurred_at\":\"" + time + "\"");
    json.append(",\"account_id\":\"").append(account).append('"');
    if (user != null) {
      json.append(",\"user_id\":\"").append(user).append('"');
    }
    if (device != null) {
      json.append(",\"device_id\":\"").append(device).append('"');
    }
    json.append(",\"event_type\":\"").append(type).append('"');
    if (platform != null) {
      json.append(",\"platform\":\"").append(platform).append('"');
    }
    json.append('}');
    RecordHeaders headers = new RecordHeaders();
    headers.add(OutputHeaders.EVENT_TIME, Long.toString(millis).getBytes(StandardCharsets.UTF_8));
    return new ProducerRecord<>(
        topic,
        null,
        millis,
        id.getBytes(StandardCharsets.UTF_8),
        json.toString().getBytes(StandardCharsets.UTF_8),
        headers);
  }
}
