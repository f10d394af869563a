package io.insighthub.operator.freshness;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.operator.common.ConditionMetrics;
import io.insighthub.operator.common.Durations;
import io.insighthub.operator.freshness.WatermarkConsumer.PipelineRef;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's freshness tracking, shared by the Pipeline and CdcSource reconcilers: one {@link
 * WatermarkConsumer} filling one {@link WatermarkStore}, the event sources it triggers, the
 * freshness gauges, and when each resource started to be expected to load. Disabled (every resource
 * reports freshness as not tracked) when no Kafka bootstrap address is configured.
 */
public final class FreshnessTracking {
  /** How often, at most, changed watermarks trigger reconciles (and so status patches). */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  public static final String ENV_BOOTSTRAP = "INSIGHTHUB_WATERMARK_BOOTSTRAP_SERVERS";
  public static final String ENV_INTERVAL = "INSIGHTHUB_FRESHNESS_INTERVAL";

  private static final Logger LOG = LoggerFactory.getLogger(FreshnessTracking.class);

  private final String bootstrapServers;
  private final Duration interval;
  private final WatermarkStore store = new WatermarkStore();
  private final QualityResultStore quality = new QualityResultStore();
  private final PurgeReports purges = new PurgeReports();
  private final FreshnessMetrics metrics;
  private final ConditionMetrics conditions;
  private final MeterRegistry registry;
  private final List<Consumer<Set<PipelineRef>>> listeners = new CopyOnWriteArrayList<>();
  private final Map<ResourceID, Instant> resumedAt = new ConcurrentHashMap<>();
  private final Set<ResourceID> suspended = ConcurrentHashMap.newKeySet();
  private WatermarkConsumer consumer;

  /**
   * @param bootstrapServers Kafka bootstrap servers holding {@code insighthub.watermarks}; null
   *     disables tracking
   */
  public FreshnessTracking(String bootstrapServers, Duration interval, MeterRegistry registry) {
    this.bootstrapServers = bootstrapServers;
    this.interval = interval;
    this.metrics = new FreshnessMetrics(registry);
    this.conditions = new ConditionMetrics(registry);
    this.registry = registry;
  }

  /** The operator's registry, served on /metrics, for the reconcilers' own gauges. */
  public MeterRegistry registry() {
    return registry;
  }

  /** No consumer: freshness is reported as not tracked. */
  public static FreshnessTracking disabled() {
    return new FreshnessTracking(null, DEFAULT_INTERVAL, new SimpleMeterRegistry());
  }

  /**
   * {@value #ENV_BOOTSTRAP}, else {@code INSIGHTHUB_KAFKA_BOOTSTRAP_SERVERS}; the flush interval
   * from {@value #ENV_INTERVAL} (a duration such as 10s).
   */
  public static FreshnessTracking fromEnv(Map<String, String> env, MeterRegistry registry) {
    String bootstrap = env.get(ENV_BOOTSTRAP);
    if (bootstrap == null || bootstrap.isBlank()) {
      bootstrap = env.get("INSIGHTHUB_KAFKA_BOOTSTRAP_SERVERS");
    }
    String interval = env.get(ENV_INTERVAL);
    Duration flush;
    try {
      flush =
          interval == null || interval.isBlank()
              ? DEFAULT_INTERVAL
              : Durations.parse(interval.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          ENV_INTERVAL + ": expected a duration such as 10s, got '" + interval + "'", e);
    }
    if (flush.isZero() || flush.isNegative()) {
      throw new IllegalArgumentException(ENV_INTERVAL + ": must be positive, got " + interval);
    }
    return new FreshnessTracking(
        bootstrap == null || bootstrap.isBlank() ? null : bootstrap.strip(), flush, registry);
  }

  public boolean enabled() {
    return bootstrapServers != null;
  }

  public Duration interval() {
    return interval;
  }

  public WatermarkStore store() {
    return store;
  }

  /** The QualityRule results the watermark records carried. */
  public QualityResultStore quality() {
    return quality;
  }

  /** The pii-purge reports the watermark topic carried. */
  public PurgeReports purges() {
    return purges;
  }

  public FreshnessMetrics metrics() {
    return metrics;
  }

  /** The status conditions as gauges, on the same registry as the freshness gauges. */
  public ConditionMetrics conditions() {
    return conditions;
  }

  /** An event source for one controller; see {@link WatermarkEventSource}. */
  public <P extends HasMetadata> WatermarkEventSource<P> eventSource(
      String name, Function<PipelineRef, Collection<ResourceID>> targets, Consumer<P> onDeleted) {
    return new WatermarkEventSource<>(
        name,
        this,
        targets,
        resource -> {
          ResourceID id = ResourceID.fromResource(resource);
          resumedAt.remove(id);
          suspended.remove(id);
          onDeleted.accept(resource);
        });
  }

  /**
   * An event source for a controller that reports quality results only (no freshness, so no resume
   * bookkeeping to drop when one of its resources is deleted).
   */
  public <P extends HasMetadata> WatermarkEventSource<P> resultsEventSource(
      String name, Function<PipelineRef, Collection<ResourceID>> targets, Consumer<P> onDeleted) {
    return new WatermarkEventSource<>(name, this, targets, onDeleted);
  }

  synchronized void subscribe(Consumer<Set<PipelineRef>> listener) {
    listeners.add(listener);
    if (enabled() && consumer == null) {
      LOG.info("Reading watermarks from {} every {}", bootstrapServers, interval);
      consumer =
          new WatermarkConsumer(bootstrapServers, store, quality, purges, this::changed, interval)
              .start();
    }
  }

  synchronized void unsubscribe(Consumer<Set<PipelineRef>> listener) {
    listeners.remove(listener);
    if (listeners.isEmpty() && consumer != null) {
      consumer.close();
      consumer = null;
    }
  }

  private void changed(Set<PipelineRef> owners) {
    listeners.forEach(l -> l.accept(owners));
  }

  /**
   * Since when {@code resource} is expected to load: its creation, or the last time it was seen
   * resumed after a suspension (remembered by this process; {@code wasSuspended} tells a resume
   * that happened while another replica led, from the status it last wrote).
   */
  public Instant since(
      HasMetadata resource, boolean suspendedNow, boolean wasSuspended, Instant now) {
    ResourceID id = ResourceID.fromResource(resource);
    if (suspendedNow) {
      suspended.add(id);
    } else if (suspended.remove(id) || wasSuspended) {
      resumedAt.put(id, now);
    }
    Instant created = Instant.parse(resource.getMetadata().getCreationTimestamp());
    Instant resumed = resumedAt.get(id);
    return resumed != null && resumed.isAfter(created) ? resumed : created;
  }

  /**
   * The latest watermark of each table, left out when older than {@code since}: a load from before
   * a resume (or from a deleted resource of the same name) says nothing about the loader now.
   */
  public Map<String, Watermark> latest(
      String namespace, String owner, Collection<String> tables, Instant since) {
    Map<String, Watermark> all = store.tablesOf(namespace, owner);
    Map<String, Watermark> kept = new HashMap<>();
    for (String table : tables) {
      Watermark mark = all.get(table);
      if (mark != null && !mark.loadTime().isBefore(since)) {
        kept.put(table, mark);
      }
    }
    return kept;
  }
}
