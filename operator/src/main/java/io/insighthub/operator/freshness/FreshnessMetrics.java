package io.insighthub.operator.freshness;

import io.insighthub.crds.v1alpha1.TableFreshness;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Freshness gauges per table: {@code insighthub_pipeline_freshness_seconds} and {@code
 * insighthub_pipeline_sla_seconds}, labelled by namespace, pipeline and table only (bounded by the
 * tables the resources declare; no event value ever becomes a label).
 */
public final class FreshnessMetrics {
  public static final String FRESHNESS = "insighthub.pipeline.freshness";
  public static final String SLA = "insighthub.pipeline.sla";

  private record TableKey(String namespace, String pipeline, String table) {}

  private record TableGauges(AtomicLong lag, AtomicLong sla, List<Meter> meters) {}

  private final MeterRegistry registry;
  private final Map<TableKey, TableGauges> gauges = new ConcurrentHashMap<>();

  public FreshnessMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Records the latest evaluation of one Pipeline's tables; a table no longer listed is dropped.
   */
  public void record(String namespace, String pipeline, List<TableFreshness> tables) {
    Set<String> names = tables.stream().map(t -> t.table).collect(Collectors.toSet());
    remove(
        key ->
            key.namespace().equals(namespace)
                && key.pipeline().equals(pipeline)
                && !names.contains(key.table()));
    for (TableFreshness table : tables) {
      TableGauges values =
          gauges.computeIfAbsent(new TableKey(namespace, pipeline, table.table), this::register);
      values.lag().set(table.lagSeconds == null ? -1 : table.lagSeconds);
      values.sla().set(table.slaSeconds);
    }
  }

  /** Drops the gauges of a deleted Pipeline. */
  public void forget(String namespace, String pipeline) {
    remove(key -> key.namespace().equals(namespace) && key.pipeline().equals(pipeline));
  }

  private void remove(Predicate<TableKey> which) {
    gauges
        .entrySet()
        .removeIf(
            e -> {
              boolean match = which.test(e.getKey());
              if (match) {
                e.getValue().meters().forEach(registry::remove);
              }
              return match;
            });
  }

  private TableGauges register(TableKey key) {
    AtomicLong lag = new AtomicLong(-1);
    AtomicLong sla = new AtomicLong();
    String[] tags = {
      "namespace", key.namespace(), "pipeline", key.pipeline(), "table", key.table()
    };
    Meter freshness =
        Gauge.builder(FRESHNESS, lag, AtomicLong::get)
            .tags(tags)
            .baseUnit("seconds")
            .description("Seconds between now and the newest event time loaded (-1: none yet)")
            .register(registry);
    Meter slaGauge =
        Gauge.builder(SLA, sla, AtomicLong::get)
            .tags(tags)
            .baseUnit("seconds")
            .description("Freshness SLA of the table in seconds")
            .register(registry);
    return new TableGauges(lag, sla, List.of(freshness, slaGauge));
  }
}
