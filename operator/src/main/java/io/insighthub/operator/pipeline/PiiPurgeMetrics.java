package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code insighthub_pipeline_pii_purge_last_success_timestamp_seconds{namespace,pipeline}}: when
 * the Pipeline's pii-purge CronJob last succeeded (its {@code status.lastSuccessfulTime}), or,
 * before its first success, when the CronJob was created; for the alert on a purge that stopped
 * succeeding. One gauge per Pipeline with a pii-purge CronJob.
 */
public final class PiiPurgeMetrics {
  public static final String LAST_SUCCESS = "insighthub.pipeline.pii.purge.last.success.timestamp";

  private record Key(String namespace, String pipeline) {}

  private record Entry(AtomicLong seconds, Meter meter) {}

  private final MeterRegistry registry;
  private final Map<Key, Entry> gauges = new ConcurrentHashMap<>();

  public PiiPurgeMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The Pipeline's CronJobs as last observed; without a pii-purge one its gauge is dropped. */
  public void record(Pipeline pipeline, Collection<CronJob> cronJobs) {
    Key key = new Key(pipeline.getMetadata().getNamespace(), pipeline.getMetadata().getName());
    Optional<Instant> since = lastSuccess(pipeline, cronJobs);
    if (since.isEmpty()) {
      forget(key.namespace(), key.pipeline());
      return;
    }
    gauges.computeIfAbsent(key, this::register).seconds().set(since.get().getEpochSecond());
  }

  public void forget(String namespace, String pipeline) {
    Entry entry = gauges.remove(new Key(namespace, pipeline));
    if (entry != null) {
      registry.remove(entry.meter());
    }
  }

  static Optional<Instant> lastSuccess(Pipeline pipeline, Collection<CronJob> cronJobs) {
    String name = PipelineNames.cronJob(pipeline, PipelineCronJobBuilder.PII_PURGE);
    return cronJobs.stream()
        .filter(c -> name.equals(c.getMetadata().getName()))
        .findFirst()
        .map(
            c -> {
              String at =
                  c.getStatus() != null && c.getStatus().getLastSuccessfulTime() != null
                      ? c.getStatus().getLastSuccessfulTime()
                      : c.getMetadata().getCreationTimestamp();
              return at == null ? null : Instant.parse(at);
            });
  }

  private Entry register(Key key) {
    AtomicLong seconds = new AtomicLong();
    Meter meter =
        Gauge.builder(LAST_SUCCESS, seconds, AtomicLong::get)
            .tags("namespace", key.namespace(), "pipeline", key.pipeline())
            .baseUnit("seconds")
            .description(
                "Unix time the pii-purge CronJob last succeeded (its creation, before the first)")
            .register(registry);
    return new Entry(seconds, meter);
  }
}
