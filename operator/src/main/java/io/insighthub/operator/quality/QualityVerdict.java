package io.insighthub.operator.quality;

import static io.insighthub.crds.CrdConstants.CONDITION_QUALITY_PASSING;

import io.fabric8.kubernetes.api.model.Condition;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.v1alpha1.QualityRuleSpec.Severity;
import io.insighthub.crds.v1alpha1.QualityRuleStatus;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.operator.common.Conditions;
import io.insighthub.operator.freshness.QualityResultStore;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns the workers' QualityRule results into conditions and counts. Pure: the same results give
 * the same status.
 */
public final class QualityVerdict {
  /** A critical rule failing: the Pipeline's Ready turns False with this reason. */
  public static final String CRITICAL_FAILED = "CriticalQualityCheckFailed";

  public static final String FAILED = "QualityCheckFailed";
  public static final String NOT_EVALUATED = "NotEvaluated";

  /** Longest condition message; the rest is counted, not listed. */
  static final int MAX_MESSAGE = 1024;

  private QualityVerdict() {}

  /**
   * The Pipeline's QualityPassing from the latest result of each check of each folded rule: True
   * when every evaluated check passes, False naming the failing rules (a rule of severity info
   * never turns it False), Unknown until a result arrives.
   *
   * @param latest per folded rule name, the latest result of each of its checks (empty if none)
   */
  public static Condition pipeline(Map<String, List<QualityResult>> latest) {
    if (latest.isEmpty()) {
      return Conditions.unknown(
          CONDITION_QUALITY_PASSING, "NoQualityRules", "No QualityRule points to this Pipeline");
    }
    List<QualityResult> results = latest.values().stream().flatMap(List::stream).toList();
    if (results.isEmpty()) {
      return Conditions.unknown(
          CONDITION_QUALITY_PASSING,
          NOT_EVALUATED,
          latest.size()
              + " QualityRules folded into the worker config; no evaluation reported yet");
    }
    List<QualityResult> failing =
        results.stream()
            .filter(r -> !r.passed() && r.severity() != Severity.INFO)
            .sorted(Comparator.comparing(QualityResult::rule).thenComparing(r -> r.kind()))
            .toList();
    if (!failing.isEmpty()) {
      boolean critical = failing.stream().anyMatch(r -> r.severity() == Severity.CRITICAL);
      return Conditions.failed(
          CONDITION_QUALITY_PASSING, critical ? CRITICAL_FAILED : FAILED, describe(failing));
    }
    long waiting = latest.values().stream().filter(List::isEmpty).count();
    long infoFailing = results.stream().filter(r -> !r.passed()).count();
    return Conditions.ok(
        CONDITION_QUALITY_PASSING,
        "QualityChecksPassing",
        results.size()
            + " checks of "
            + (latest.size() - waiting)
            + " QualityRules passed their latest evaluation"
            + (infoFailing > 0 ? " (" + infoFailing + " info-only failing)" : "")
            + (waiting > 0 ? "; " + waiting + " rules not evaluated yet" : ""));
  }

  /**
   * The Pipeline's QualityPassing from the results in {@code store}: for each folded rule, the
   * latest result of each check it still declares, evaluated since both the Pipeline and the rule
   * were created.
   *
   * @param folded the rules folded into the worker config
   */
  public static Condition pipeline(
      Pipeline pipeline,
      List<QualityRule> folded,
      WorkerConfig.Quality config,
      QualityResultStore store) {
    String ns = pipeline.getMetadata().getNamespace();
    String name = pipeline.getMetadata().getName();
    Instant pipelineCreated = Instant.parse(pipeline.getMetadata().getCreationTimestamp());
    Map<String, List<QualityResult>> latest = new TreeMap<>();
    for (QualityRule rule : folded) {
      String ruleName = rule.getMetadata().getName();
      if (!config.rules().contains(ruleName)) {
        continue;
      }
      Set<QualityCheck.Kind> kinds =
          config.checks().stream()
              .filter(c -> ruleName.equals(c.rule()))
              .map(QualityCheck::kind)
              .collect(Collectors.toSet());
      Instant ruleCreated = Instant.parse(rule.getMetadata().getCreationTimestamp());
      Instant since = ruleCreated.isAfter(pipelineCreated) ? ruleCreated : pipelineCreated;
      // The rule's severity now weighs, not the one it had when the result was evaluated.
      Severity severity = rule.getSpec().severity;
      latest.put(
          ruleName,
          store.latest(ns, name, ruleName, since).stream()
              .filter(r -> kinds.contains(r.kind()))
              .map(
                  r -> r.severity() == severity || severity == null ? r : withSeverity(r, severity))
              .toList());
    }
    return pipeline(latest);
  }

  private static QualityResult withSeverity(QualityResult r, Severity severity) {
    return new QualityResult(
        r.rule(),
        r.kind(),
        r.table(),
        severity,
        r.evaluatedAt(),
        r.passed(),
        r.rows(),
        r.violations(),
        r.observed(),
        r.threshold(),
        r.message());
  }

  /** {@code rule: message; ...}, cut at {@link #MAX_MESSAGE} with a count of the rest. */
  static String describe(List<QualityResult> failing) {
    StringBuilder text = new StringBuilder();
    int listed = 0;
    for (QualityResult result : failing) {
      String item = result.rule() + ": " + result.message();
      if (text.length() + item.length() > MAX_MESSAGE) {
        break;
      }
      text.append(listed == 0 ? "" : "; ").append(item);
      listed++;
    }
    if (listed < failing.size()) {
      text.append(listed == 0 ? "" : "; ")
          .append("and ")
          .append(failing.size() - listed)
          .append(" more failing checks");
    }
    return text.toString();
  }

  /**
   * A QualityRule's status after new results: counts added, last evaluation and violation moved on,
   * and its own QualityPassing from the latest result of each of its checks (any failure turns it
   * False, whatever the severity: the severity weighs on the Pipeline, not the rule).
   *
   * @param previous the status last written (its counts and times are kept and added to)
   * @param fresh the evaluations since {@code previous.lastEvaluationTime}, oldest first
   * @param latest the latest result of each of the rule's checks
   */
  public static QualityRuleStatus rule(
      QualityRuleStatus previous, List<QualityResult> fresh, Collection<QualityResult> latest) {
    QualityRuleStatus status = new QualityRuleStatus();
    if (previous != null) {
      status.lastEvaluationTime = previous.lastEvaluationTime;
      status.passCount = previous.passCount;
      status.failCount = previous.failCount;
      status.lastViolation = previous.lastViolation;
    }
    if (!fresh.isEmpty()) {
      long passed = fresh.stream().filter(QualityResult::passed).count();
      status.passCount = Objects.requireNonNullElse(status.passCount, 0L) + passed;
      status.failCount = Objects.requireNonNullElse(status.failCount, 0L) + (fresh.size() - passed);
      Instant last =
          fresh.stream().map(QualityResult::evaluatedAt).max(Comparator.naturalOrder()).get();
      status.lastEvaluationTime = last.toString();
      fresh.stream()
          .filter(r -> !r.passed())
          .max(Comparator.comparing(QualityResult::evaluatedAt))
          .ifPresent(r -> status.lastViolation = violation(r));
    }
    return status;
  }

  /** The rule's own QualityPassing. */
  public static Condition ruleCondition(Collection<QualityResult> latest) {
    if (latest.isEmpty()) {
      return Conditions.unknown(
          CONDITION_QUALITY_PASSING, NOT_EVALUATED, "No evaluation reported by the workers yet");
    }
    List<QualityResult> failing =
        latest.stream()
            .filter(r -> !r.passed())
            .sorted(Comparator.comparing(QualityResult::kind))
            .toList();
    if (!failing.isEmpty()) {
      return Conditions.failed(
          CONDITION_QUALITY_PASSING,
          FAILED,
          cut(failing.stream().map(QualityResult::message).collect(Collectors.joining("; "))));
    }
    return Conditions.ok(
        CONDITION_QUALITY_PASSING,
        "Passing",
        latest.size() + " checks passed their latest evaluation");
  }

  private static String cut(String text) {
    return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE - 3) + "...";
  }

  private static QualityRuleStatus.Violation violation(QualityResult result) {
    QualityRuleStatus.Violation violation = new QualityRuleStatus.Violation();
    violation.time = result.evaluatedAt().toString();
    violation.check = result.kind().specName();
    violation.message = result.message();
    violation.sampleCount = result.violations();
    return violation;
  }
}
