package io.insighthub.workers.testing;

import io.insighthub.crds.v1alpha1.ArchiveSpec;
import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.worker.Lifecycle;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.s3.S3Server;
import io.insighthub.workers.files.archive.ArchiveCodec;
import io.insighthub.workers.files.archive.ArchiveLayout;
import io.insighthub.workers.files.archive.ArchiveRecord;
import io.insighthub.workers.validate.TestSchemas;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Fixtures for the archive and purge tests: their worker config, environment and a reader. */
public final class ArchiveFixtures {
  public static final String NAMESPACE = "it";

  private ArchiveFixtures() {}

  /** event_id, occurred_at and event_type required; email, ip and phone the PII. */
  public static EventsSource events() {
    EventsSource events = new EventsSource();
    events.fields =
        List.of(
            new EventField("event_id", EventField.Type.STRING, true),
            new EventField("occurred_at", EventField.Type.TIMESTAMP, true),
            new EventField("event_type", EventField.Type.STRING, true),
            new EventField("email", EventField.Type.STRING, false),
            new EventField("ip", EventField.Type.STRING, false),
            new EventField("phone", EventField.Type.STRING, false),
            new EventField("amount", EventField.Type.NUMBER, false));
    events.keyFields = List.of("event_id");
    events.eventTimeField = "occurred_at";
    return events;
  }

  /** An archive of {@code pipeline} in {@code bucket}. */
  public static Lifecycle.Archive archive(
      String bucket, String pipeline, long maxObjectBytes, String maxObjectAge) {
    String[] at = Lifecycle.Archive.bucketAndPrefix("s3://" + bucket + "/raw", NAMESPACE, pipeline);
    return new Lifecycle.Archive(
        at[0],
        at[1],
        ArchiveSpec.Format.JSONL_GZIP,
        180,
        maxObjectBytes,
        maxObjectAge,
        "occurred_at");
  }

  /**
   * The worker config of {@code pipeline}: its raw topic {@code <pipeline>.raw}, the archive, PII
   * (with {@code hmacKeyFile}) purged after {@code purgeAfterDays}, and {@code tables} to expire.
   */
  public static WorkerConfig config(
      String bootstrap,
      String pipeline,
      Lifecycle.Archive archive,
      Path hmacKeyFile,
      int purgeAfterDays,
      List<Lifecycle.Topic> topics,
      List<Lifecycle.Table> tables,
      Path warehouseDir) {
    return new WorkerConfig(
        WorkerConfig.CURRENT_VERSION,
        NAMESPACE,
        pipeline,
        new WorkerConfig.Kafka(
            bootstrap,
            pipeline + ".raw",
            pipeline + ".validated",
            pipeline + ".dlq",
            pipeline + ".late",
            WorkerConfig.WATERMARK_TOPIC),
        events(),
        null,
        null,
        hmacKeyFile == null
            ? null
            : new WorkerConfig.Pii(TestSchemas.pii(), hmacKeyFile.toString(), purgeAfterDays),
        List.of(),
        warehouseDir == null
            ? null
            : new WorkerConfig.Sink(warehouseDir.toString(), "ANALYTICS", "VALIDATED", null, null),
        null,
        null,
        new Lifecycle(
            archive,
            hmacKeyFile == null ? 0 : purgeAfterDays,
            Lifecycle.MAX_PII_DAYS,
            topics,
            tables));
  }

  /** The environment a credentials Secret gives the archive and purge pods, for this server. */
  public static Map<String, String> env(S3Server s3) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ACCESS_KEY_ID", s3.accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", s3.secretAccessKey());
    env.put("AWS_REGION", S3Server.REGION);
    env.put("AWS_ENDPOINT_URL_S3", s3.endpoint().toString());
    return env;
  }

  /** An archive object as listed, with its records. */
  public record StoredObject(ArchiveLayout.ObjectKey key, long size, List<ArchiveRecord> records) {}

  /** Every data object under the archive's prefix, read. */
  public static List<StoredObject> objects(S3Server s3, Lifecycle.Archive archive) {
    List<StoredObject> objects = new ArrayList<>();
    try (S3Client client = s3.client()) {
      List<S3Object> listed = new ArrayList<>();
      client
          .listObjectsV2Paginator(b -> b.bucket(archive.bucket()).prefix(archive.prefix()))
          .forEach(page -> listed.addAll(page.contents()));
      for (S3Object object : listed) {
        var key = ArchiveLayout.parse(archive.prefix(), object.key());
        if (key.isEmpty()) {
          continue;
        }
        byte[] bytes = read(client, archive, object.key());
        if (bytes == null) {
          continue; // deleted since the listing (a purge at work)
        }
        objects.add(
            new StoredObject(
                key.get(), object.size(), ArchiveCodec.records(key.get().format(), bytes)));
      }
    }
    return objects;
  }

  /** The uncompressed content of every data object, concatenated: what a byte scan reads. */
  public static byte[] uncompressed(S3Server s3, Lifecycle.Archive archive) {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    try (S3Client client = s3.client()) {
      List<S3Object> listed = new ArrayList<>();
      client
          .listObjectsV2Paginator(b -> b.bucket(archive.bucket()).prefix(archive.prefix()))
          .forEach(page -> listed.addAll(page.contents()));
      for (S3Object object : listed) {
        var key = ArchiveLayout.parse(archive.prefix(), object.key());
        byte[] bytes = key.isPresent() ? read(client, archive, object.key()) : null;
        if (bytes != null) {
          all.writeBytes(ArchiveCodec.uncompressed(key.get().format(), bytes));
        }
      }
    }
    return all.toByteArray();
  }

  private static byte[] read(S3Client client, Lifecycle.Archive archive, String key) {
    try {
      return client.getObjectAsBytes(b -> b.bucket(archive.bucket()).key(key)).asByteArray();
    } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
      return null;
    }
  }
}
