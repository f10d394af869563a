package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.insighthub.operator.OperatorConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The informer cache of the operator's resources, kept small: most of a cached object's memory is
 * its {@code metadata.managedFields}, a tree of maps per field manager. The operator reads only its
 * own server-side-apply entry (JOSDK's SSA matcher compares the fields it applied), so every other
 * manager's entry is dropped when an object enters the cache, and the remaining tree is shared
 * between objects: field-manager trees name fields, not values, so the children of 1,000 Pipelines
 * hold the same few trees, which are kept once, read-only.
 *
 * <p>Measured with {@code OperatorScaleBenchmark} (BENCHMARKS.md): at 1,000 Pipelines the heap's
 * live data was mostly these maps.
 */
public class CompactingItemStore<R extends HasMetadata> implements ItemStore<R> {
  /** Beyond this many distinct subtrees (unique per object ones included) sharing restarts. */
  static final int MAX_SHARED = 50_000;

  private static final Map<Map<String, Object>, Map<String, Object>> SHARED =
      new ConcurrentHashMap<>();

  private final BasicItemStore<R> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

  @Override
  public String getKey(R item) {
    return store.getKey(item);
  }

  @Override
  public R put(String key, R item) {
    compact(item);
    return store.put(key, item);
  }

  @Override
  public R remove(String key) {
    return store.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return store.keySet();
  }

  @Override
  public Stream<R> values() {
    return store.values();
  }

  @Override
  public int size() {
    return store.size();
  }

  @Override
  public R get(String key) {
    return store.get(key);
  }

  /** Keeps only the operator's own apply entry of the managed fields, its tree shared. */
  static void compact(HasMetadata item) {
    var metadata = item.getMetadata();
    if (metadata == null || metadata.getManagedFields() == null) {
      return;
    }
    List<ManagedFieldsEntry> own =
        metadata.getManagedFields().stream()
            .filter(e -> OperatorConfig.FIELD_MANAGER.equals(e.getManager()))
            .filter(e -> "Apply".equals(e.getOperation()))
            .toList();
    for (ManagedFieldsEntry entry : own) {
      FieldsV1 fields = entry.getFieldsV1();
      if (fields != null && fields.getAdditionalProperties() != null) {
        fields.setAdditionalProperties(share(fields.getAdditionalProperties()));
      }
    }
    metadata.setManagedFields(own);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> share(Map<String, Object> tree) {
    Map<String, Object> copy = new LinkedHashMap<>(tree.size() * 4 / 3 + 1);
    tree.forEach(
        (key, value) ->
            copy.put(
                key, value instanceof Map<?, ?> map ? share((Map<String, Object>) map) : value));
    Map<String, Object> frozen = Collections.unmodifiableMap(copy);
    if (SHARED.size() > MAX_SHARED) {
      SHARED.clear();
    }
    Map<String, Object> existing = SHARED.putIfAbsent(frozen, frozen);
    return existing != null ? existing : frozen;
  }
}
