package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Standard status conditions: construction, lookup, and a merge that keeps a condition's
 * lastTransitionTime unless its status actually changes.
 */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private Conditions() {}

  public static Condition of(String type, String status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  public static Condition ok(String type, String reason, String message) {
    return of(type, TRUE, reason, message);
  }

  public static Condition failed(String type, String reason, String message) {
    return of(type, FALSE, reason, message);
  }

  public static Condition unknown(String type, String reason, String message) {
    return of(type, UNKNOWN, reason, message);
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  /**
   * The desired conditions, in their order, each stamped with the previous lastTransitionTime when
   * its status is unchanged, or with {@code now} when it is new or its status changed.
   */
  public static List<Condition> merge(
      List<Condition> previous, List<Condition> desired, long generation, Instant now) {
    List<Condition> merged = new ArrayList<>(desired.size());
    for (Condition want : desired) {
      Optional<Condition> had = find(previous, want.getType());
      String time =
          had.filter(c -> Objects.equals(c.getStatus(), want.getStatus()))
              .map(Condition::getLastTransitionTime)
              .filter(Objects::nonNull)
              .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
      merged.add(
          new ConditionBuilder(want)
              .withObservedGeneration(generation)
              .withLastTransitionTime(time)
              .build());
    }
    return merged;
  }
}
