package io.insighthub.operator.freshness;

import io.insighthub.crds.worker.QualityResult;
import io.insighthub.crds.worker.Watermark;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The QualityRule results carried by the watermark records, per rule: the most recent evaluations
 * (so a reconcile can count those after the status's last evaluation) and the latest result of each
 * check and table (so it can say whether the rule passes now).
 */
public final class QualityResultStore {
  /**
   * Evaluations kept per rule between two reconciles of it; older ones are no longer counted. A
   * loader evaluates a check about twice a second at most and a rule is reconciled every flush
   * interval (10 s), so this leaves room for a slow reconcile while 1,000 rules stay a few MiB.
   */
  public static final int KEEP = 256;

  private record RuleKey(String namespace, String pipeline, String rule) {}

  private static final class RuleResults {
    private final Deque<QualityResult> recent = new ArrayDeque<>();
    private final Map<String, QualityResult> latest = new LinkedHashMap<>();

    synchronized void add(QualityResult result) {
      recent.addLast(result);
      if (recent.size() > KEEP) {
        recent.removeFirst();
      }
      latest.merge(
          result.checkKey(),
          result,
          (old, next) -> next.evaluatedAt().isBefore(old.evaluatedAt()) ? old : next);
    }

    synchronized List<QualityResult> after(Instant after) {
      return recent.stream().filter(r -> r.evaluatedAt().isAfter(after)).toList();
    }

    synchronized List<QualityResult> latest(Instant since) {
      return latest.values().stream().filter(r -> !r.evaluatedAt().isBefore(since)).toList();
    }
  }

  private final Map<RuleKey, RuleResults> byRule = new ConcurrentHashMap<>();

  /** Keeps the quality results of {@code mark}; true if it had any. */
  public boolean offer(Watermark mark) {
    if (mark.quality() == null || mark.quality().isEmpty()) {
      return false;
    }
    for (QualityResult result : mark.quality()) {
      if (result.rule() == null || result.kind() == null || result.evaluatedAt() == null) {
        continue;
      }
      byRule
          .computeIfAbsent(
              new RuleKey(mark.namespace(), mark.pipeline(), result.rule()), k -> new RuleResults())
          .add(result);
    }
    return true;
  }

  /** Drops what is kept of a rule (it was deleted). */
  public void forget(String namespace, String pipeline, String rule) {
    byRule.remove(new RuleKey(namespace, pipeline, rule));
  }

  /** A rule's evaluations after {@code after}, in the order they were read. */
  public List<QualityResult> after(String namespace, String pipeline, String rule, Instant after) {
    RuleResults results = byRule.get(new RuleKey(namespace, pipeline, rule));
    return results == null ? List.of() : results.after(after);
  }

  /** The latest result of each of a rule's checks (per table), evaluated at or after since. */
  public List<QualityResult> latest(String namespace, String pipeline, String rule, Instant since) {
    RuleResults results = byRule.get(new RuleKey(namespace, pipeline, rule));
    return results == null ? List.of() : new ArrayList<>(results.latest(since));
  }
}
