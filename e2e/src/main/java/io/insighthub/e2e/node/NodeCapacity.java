package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Map;

/**
 * What the local node declares it has: large enough that the samples' requests (and a test's
 * several Pipelines) schedule on one machine; the processes share the machine regardless.
 */
public record NodeCapacity(String cpu, String memory, String ephemeralStorage, int pods) {
  public static final NodeCapacity DEFAULT = new NodeCapacity("64", "256Gi", "2Ti", 250);

  Map<String, Quantity> quantities() {
    return Map.of(
        "cpu", new Quantity(cpu),
        "memory", new Quantity(memory),
        "ephemeral-storage", new Quantity(ephemeralStorage),
        "pods", new Quantity(String.valueOf(pods)));
  }

  /** The allocatable amount of a resource, or null for one the node does not declare. */
  BigDecimal allocatable(String resource) {
    Quantity q = quantities().get(resource);
    return q == null ? null : Quantity.getAmountInBytes(q);
  }
}
