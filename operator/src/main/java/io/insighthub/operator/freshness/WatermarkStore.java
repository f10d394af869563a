package io.insighthub.operator.freshness;

import io.insighthub.crds.worker.Watermark;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** The latest watermark of every table, as read from the compacted watermark topic. */
public final class WatermarkStore {
  private final Map<String, Watermark> byKey = new ConcurrentHashMap<>();

  /** Keeps {@code mark} unless a newer load of the same table is already known. */
  public boolean offer(Watermark mark) {
    Watermark kept =
        byKey.merge(
            mark.key(), mark, (old, next) -> next.loadTime().isBefore(old.loadTime()) ? old : next);
    return kept == mark;
  }

  /** The latest watermark per table (SCHEMA.TABLE) of one Pipeline or CdcSource. */
  public Map<String, Watermark> tablesOf(String namespace, String pipeline) {
    String prefix = namespace + "/" + pipeline + "/";
    return byKey.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .collect(Collectors.toMap(e -> e.getValue().table(), Map.Entry::getValue));
  }

  public int size() {
    return byKey.size();
  }
}
