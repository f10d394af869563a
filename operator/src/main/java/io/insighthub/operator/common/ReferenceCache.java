package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers for a short while that a referenced object exists, so that a thousand Pipelines naming
 * the same Kafka cluster and Secret do not each GET them on every reconcile (those GETs were 30% of
 * the operator's requests at 1,000 Pipelines). The operator may only GET Kafkas, KafkaConnects and
 * Secrets by name (no list or watch: listing Secrets would be reading all of them), so it cannot
 * watch them; it looks again once an entry is {@link #TTL} old. That an object is missing is
 * remembered only for {@link #MISSING_TTL}, so one that appears later is found at the next recheck.
 * Of a Secret only the names of its keys are kept, never a value.
 */
public final class ReferenceCache {
  public static final Duration TTL = Duration.ofSeconds(10);

  /**
   * How long "does not exist" is believed: long enough that many resources naming the same missing
   * Secret share one GET, short enough that one created later is seen within seconds.
   */
  public static final Duration MISSING_TTL = Duration.ofSeconds(1);

  private static final int MAX_ENTRIES = 10_000;

  /** keys is null when the object did not exist. */
  private record Entry(Set<String> keys, Instant fetched) {
    boolean fresh(Instant now) {
      return fetched.plus(keys == null ? MISSING_TTL : TTL).isAfter(now);
    }
  }

  private final Clock clock;
  private final Map<String, Entry> found = new ConcurrentHashMap<>();

  public ReferenceCache(Clock clock) {
    this.clock = clock;
  }

  /** Whether {@code type}/{@code name} exists in {@code namespace}. */
  public boolean exists(
      KubernetesClient client, Class<? extends HasMetadata> type, String namespace, String name) {
    String id = type.getName() + "/" + namespace + "/" + name;
    return lookup(
            id,
            Set.of(),
            () ->
                client.resources(type).inNamespace(namespace).withName(name).get() == null
                    ? null
                    : Set.of())
        .isPresent();
  }

  /**
   * The key names of a Secret (data and stringData), or empty when it does not exist. A remembered
   * Secret lacking one of {@code required} is fetched again: the key may just have been added.
   */
  public Optional<Set<String>> secretKeys(
      KubernetesClient client, String namespace, String name, Set<String> required) {
    return lookup(
        "Secret/" + namespace + "/" + name,
        required,
        () -> {
          Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
          if (secret == null) {
            return null;
          }
          Set<String> keys = new HashSet<>();
          if (secret.getData() != null) {
            keys.addAll(secret.getData().keySet());
          }
          if (secret.getStringData() != null) {
            keys.addAll(secret.getStringData().keySet());
          }
          return Set.copyOf(keys);
        });
  }

  private Optional<Set<String>> lookup(
      String id, Set<String> required, java.util.function.Supplier<Set<String>> fetch) {
    Instant now = clock.instant();
    Entry entry = found.get(id);
    if (entry != null
        && entry.fresh(now)
        && (entry.keys() == null || entry.keys().containsAll(required))) {
      return Optional.ofNullable(entry.keys());
    }
    Set<String> keys = fetch.get();
    if (found.size() >= MAX_ENTRIES) {
      found.values().removeIf(e -> !e.fresh(now));
    }
    found.put(id, new Entry(keys, now));
    return Optional.ofNullable(keys);
  }
}
