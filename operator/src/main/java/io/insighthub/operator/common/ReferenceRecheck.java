package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.Condition;
import io.insighthub.crds.CrdConstants;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * When to look again at a reference that could not be resolved (a Secret, Kafka or KafkaConnect the
 * operator cannot watch): soon after the problem appeared, then less often. The delay is the time
 * the problem has lasted, between {@link #FIRST} and {@link #LAST}, so the checks double in
 * spacing: an object created a few seconds after the resource that names it (the usual order of a
 * `kubectl apply -f dir/`) is found within seconds, and one missing for good costs one check every
 * {@link #LAST}.
 */
public final class ReferenceRecheck {
  public static final Duration FIRST = Duration.ofSeconds(2);
  public static final Duration LAST = Duration.ofSeconds(30);

  private ReferenceRecheck() {}

  /**
   * @param previous the conditions before this reconcile
   * @param reason the reason of the problem found now
   */
  public static Duration after(List<Condition> previous, String reason, Instant now) {
    var ready = Conditions.find(previous, CrdConstants.CONDITION_READY);
    if (ready.isEmpty()
        || !reason.equals(ready.get().getReason())
        || ready.get().getLastTransitionTime() == null) {
      return FIRST;
    }
    Duration lasted;
    try {
      lasted = Duration.between(Instant.parse(ready.get().getLastTransitionTime()), now);
    } catch (DateTimeParseException e) {
      return FIRST;
    }
    if (lasted.compareTo(FIRST) < 0) {
      return FIRST;
    }
    return lasted.compareTo(LAST) > 0 ? LAST : lasted;
  }
}
