package io.insighthub.operator.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.insighthub.crds.v1alpha1.ArchiveSpec;
import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.crds.v1alpha1.PiiSpec;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.PipelineSource;
import io.insighthub.crds.v1alpha1.PipelineSpec;
import io.insighthub.crds.v1alpha1.SecretKeyRef;
import io.insighthub.crds.v1alpha1.SinkSpec;
import io.insighthub.crds.v1alpha1.TransformSpec;
import java.util.List;

/** Small Pipelines for tests: one behaviour each, without the samples' detail. */
public final class TestPipelines {
  public static final String SINK_SECRET = "warehouse";

  private TestPipelines() {}

  /** An events Pipeline with three fields, small topics, a sink and no PII. */
  public static Pipeline events(String name, String namespace) {
    Pipeline pipeline = new Pipeline();
    pipeline.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    PipelineSpec spec = new PipelineSpec();
    spec.source = new PipelineSource();
    spec.source.events = new EventsSource();
    spec.source.events.fields =
        List.of(
            new EventField("event_id", EventField.Type.STRING, true),
            new EventField("account_id", EventField.Type.STRING, false),
            new EventField("occurred_at", EventField.Type.TIMESTAMP, true));
    spec.source.events.keyFields = List.of("event_id");
    spec.source.events.eventTimeField = "occurred_at";
    spec.layers.raw.partitions = 3;
    spec.layers.raw.replicas = 1;
    spec.layers.raw.minInSyncReplicas = 1;
    spec.sink = new SinkSpec();
    spec.sink.connectionSecretRef = new SecretKeyRef(SINK_SECRET, null);
    spec.sink.database = "ANALYTICS";
    pipeline.setSpec(spec);
    return pipeline;
  }

  /**
   * An events Pipeline whose account_id is masked PII, archived to {@code s3://archive/raw/}
   * (credentials from the Secret {@code archive-s3}), its raw topic marked as holding PII.
   */
  public static Pipeline withPiiAndArchive(String name, String namespace) {
    Pipeline pipeline = events(name, namespace);
    PiiSpec pii = new PiiSpec();
    pii.fields = List.of(new PiiField("account_id", PiiField.Action.MASK));
    pii.rawPurgeAfterDays = 29;
    pipeline.getSpec().pii = pii;
    pipeline.getSpec().layers.raw.containsPii = true;
    ArchiveSpec archive = new ArchiveSpec();
    archive.uri = "s3://archive/raw/";
    archive.credentialsSecretRef = new SecretKeyRef("archive-s3", null);
    pipeline.getSpec().archive = archive;
    return pipeline;
  }

  /** The same with a sessionize transform and a SQL model, so every stage and a CronJob run. */
  public static Pipeline eventsWithTransforms(String name, String namespace) {
    Pipeline pipeline = events(name, namespace);
    TransformSpec sessions = new TransformSpec();
    sessions.name = "sessions";
    sessions.type = TransformSpec.Type.SESSIONIZE;
    TransformSpec daily = new TransformSpec();
    daily.name = "daily";
    daily.type = TransformSpec.Type.SQL;
    daily.sql = "SELECT 1";
    pipeline.getSpec().transforms = List.of(sessions, daily);
    return pipeline;
  }
}
