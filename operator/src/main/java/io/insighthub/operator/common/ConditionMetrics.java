package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code insighthub_resource_condition{namespace,kind,name,condition}}: 1 while a resource's
 * condition is True, 0 while False, -1 while Unknown, for alerts (the chart's PrometheusRules page
 * on a CdcSource whose connector or replication slot is unhealthy, and on Pipelines that stay not
 * Ready). Labels are bounded by the resources and their fixed condition types; a reason or message
 * never becomes a label.
 */
public final class ConditionMetrics {
  public static final String NAME = "insighthub.resource.condition";

  private record Key(String namespace, String kind, String name, String condition) {}

  private record Entry(AtomicInteger value, Meter meter) {}

  private final MeterRegistry registry;
  private final Map<Key, Entry> gauges = new ConcurrentHashMap<>();

  public ConditionMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The conditions just computed for {@code resource}. */
  public void record(HasMetadata resource, List<Condition> conditions) {
    if (conditions == null) {
      return;
    }
    for (Condition condition : conditions) {
      Key key =
          new Key(
              resource.getMetadata().getNamespace(),
              resource.getKind(),
              resource.getMetadata().getName(),
              condition.getType());
      gauges.computeIfAbsent(key, this::register).value().set(value(condition.getStatus()));
    }
  }

  /** Drops the gauges of a deleted resource. */
  public void forget(HasMetadata resource) {
    gauges
        .entrySet()
        .removeIf(
            e -> {
              Key key = e.getKey();
              boolean match =
                  key.kind().equals(resource.getKind())
                      && key.namespace().equals(resource.getMetadata().getNamespace())
                      && key.name().equals(resource.getMetadata().getName());
              if (match) {
                registry.remove(e.getValue().meter());
              }
              return match;
            });
  }

  static int value(String status) {
    return Conditions.TRUE.equals(status) ? 1 : Conditions.FALSE.equals(status) ? 0 : -1;
  }

  private Entry register(Key key) {
    AtomicInteger value = new AtomicInteger(-1);
    Meter meter =
        Gauge.builder(NAME, value, AtomicInteger::get)
            .tags(
                "namespace",
                key.namespace(),
                "kind",
                key.kind(),
                "name",
                key.name(),
                "condition",
                key.condition())
            .description("1: the condition is True, 0: False, -1: Unknown")
            .register(registry);
    return new Entry(value, meter);
  }
}
