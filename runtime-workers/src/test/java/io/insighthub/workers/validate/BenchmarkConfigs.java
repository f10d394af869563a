package io.insighthub.workers.validate;

import io.insighthub.crds.v1alpha1.AggregateSpec;
import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.v1alpha1.SessionizeSpec;
import io.insighthub.crds.v1alpha1.TransformSpec;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.streams.StreamsSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Worker configurations for the benchmark, built from the validate tests' schema. */
public final class BenchmarkConfigs {
  private BenchmarkConfigs() {}

  public static WorkerConfig validate(
      String bootstrap, String prefix, SchemaDriftCheck.Policy policy, Path hmacKey) {
    WorkerConfig base = TestSchemas.config(bootstrap, prefix, policy, hmacKey);
    base.events().maxEventBytes = 1 << 20;
    return base;
  }

  /**
   * Streams properties as the validate stage would use them (exactly_once_v2, its threads and
   * producer batches), for a copy under the application id suffix {@code eos-copy}.
   */
  public static Properties streamsCopy(WorkerConfig validate, Map<String, String> env) {
    Properties properties = StreamsSettings.properties(validate, "eos-copy", 1 << 20, env);
    ValidateStage.throughputDefaults(properties, Runtime.getRuntime().availableProcessors());
    return properties;
  }

  /** The same pipeline with its sessionize and aggregate transforms, for the aggregate stage. */
  public static WorkerConfig aggregate(WorkerConfig validate) {
    TransformSpec sessions = new TransformSpec();
    sessions.name = "sessions";
    sessions.type = TransformSpec.Type.SESSIONIZE;
    sessions.sessionize = new SessionizeSpec();
    TransformSpec usage = new TransformSpec();
    usage.name = "account-usage";
    usage.type = TransformSpec.Type.AGGREGATE;
    usage.aggregate = new AggregateSpec();
    return new WorkerConfig(
        validate.version(),
        validate.namespace(),
        validate.pipeline(),
        validate.kafka(),
        validate.events(),
        null,
        null,
        validate.pii(),
        List.of(sessions, usage),
        null,
        validate.quality(),
        null);
  }
}
