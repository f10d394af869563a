package io.insighthub.operator.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts finished reconciles per resource, so a test knows a resync has really happened. */
public final class ReconcileCounter implements Metrics {
  private final Map<String, AtomicInteger> finished = new ConcurrentHashMap<>();

  @Override
  public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
    finished.computeIfAbsent(key(resource), k -> new AtomicInteger()).incrementAndGet();
  }

  public int finished(HasMetadata resource) {
    AtomicInteger count = finished.get(key(resource));
    return count == null ? 0 : count.get();
  }

  private static String key(HasMetadata resource) {
    return resource.getKind()
        + "/"
        + resource.getMetadata().getNamespace()
        + "/"
        + resource.getMetadata().getName();
  }
}
