package io.insighthub.operator.quality;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import io.insighthub.crds.v1alpha1.QualityRuleSpec.Severity;
import io.insighthub.crds.v1alpha1.QualityRuleStatus;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.operator.freshness.QualityResultStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class QualityVerdictTest {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void unknownUntilAResultArrives() {
    Condition none = QualityVerdict.pipeline(Map.of());
    Condition waiting = QualityVerdict.pipeline(Map.of("a", List.of(), "b", List.of()));

    assertThat(none.getStatus()).isEqualTo("Unknown");
    assertThat(none.getReason()).isEqualTo("NoQualityRules");
    assertThat(waiting.getStatus()).isEqualTo("Unknown");
    assertThat(waiting.getReason()).isEqualTo("NotEvaluated");
  }

  @Test
  void falseNamesEachFailingRuleAndInfoNeverCounts() {
    Map<String, List<QualityResult>> latest = new TreeMap<>();
    latest.put("nulls", List.of(result("nulls", Severity.WARNING, false, "null ratio x", T0)));
    latest.put("late", List.of(result("late", Severity.INFO, false, "3 late", T0)));
    latest.put("volume", List.of(result("volume", Severity.CRITICAL, true, "ok", T0)));

    Condition failing = QualityVerdict.pipeline(latest);

    assertThat(failing.getStatus()).isEqualTo("False");
    assertThat(failing.getReason()).isEqualTo(QualityVerdict.FAILED);
    assertThat(failing.getMessage()).isEqualTo("nulls: null ratio x");

    latest.put("nulls", List.of(result("nulls", Severity.WARNING, true, "ok", T0)));
    Condition passing = QualityVerdict.pipeline(latest);
    assertThat(passing.getStatus()).isEqualTo("True");
    assertThat(passing.getMessage())
        .isEqualTo(
            "3 checks of 3 QualityRules passed their latest evaluation (1 info-only failing)");
  }

  @Test
  void aCriticalFailureHasItsOwnReason() {
    Condition critical =
        QualityVerdict.pipeline(
            Map.of("volume", List.of(result("volume", Severity.CRITICAL, false, "4 rows", T0))));

    assertThat(critical.getReason()).isEqualTo(QualityVerdict.CRITICAL_FAILED);
  }

  @Test
  void aLongListIsCutAndTheRestCounted() {
    Map<String, List<QualityResult>> latest = new TreeMap<>();
    for (int i = 0; i < 40; i++) {
      String rule = "rule-%02d".formatted(i);
      latest.put(rule, List.of(result(rule, Severity.WARNING, false, "x".repeat(60), T0)));
    }

    Condition failing = QualityVerdict.pipeline(latest);

    assertThat(failing.getMessage().length()).isLessThan(QualityVerdict.MAX_MESSAGE + 40);
    assertThat(failing.getMessage()).startsWith("rule-00: ").endsWith(" more failing checks");
  }

  @Test
  void countsAddUpAcrossReconcilesAndTheLastViolationMovesOn() {
    QualityResult bad = result("nulls", Severity.WARNING, false, "31 nulls", T0);
    QualityResult good1 = result("nulls", Severity.WARNING, true, "ok", T0.plusSeconds(1));
    QualityResult good2 = result("nulls", Severity.WARNING, true, "ok", T0.plusSeconds(2));

    QualityRuleStatus first = QualityVerdict.rule(null, List.of(bad, good1), List.of(good1));
    QualityRuleStatus second = QualityVerdict.rule(first, List.of(good2), List.of(good2));
    QualityRuleStatus idle = QualityVerdict.rule(second, List.of(), List.of(good2));

    assertThat(first.failCount).isEqualTo(1);
    assertThat(first.passCount).isEqualTo(1);
    assertThat(first.lastViolation.message).isEqualTo("31 nulls");
    assertThat(first.lastViolation.sampleCount).isEqualTo(31);
    assertThat(second.passCount).isEqualTo(2);
    assertThat(second.failCount).isEqualTo(1);
    assertThat(second.lastEvaluationTime).isEqualTo("2026-11-27T10:00:02Z");
    assertThat(idle.passCount).isEqualTo(2);
    assertThat(idle.lastViolation.time).isEqualTo("2026-11-27T10:00:00Z");
  }

  @Test
  void theRulesSeverityNowWeighsAndOnlyTheChecksItStillDeclares() {
    Pipeline pipeline = new Pipeline();
    pipeline.setMetadata(
        new ObjectMetaBuilder()
            .withName("clicks")
            .withNamespace("ns")
            .withCreationTimestamp("2026-11-27T09:00:00Z")
            .build());
    QualityRule rule = new QualityRule();
    rule.setMetadata(
        new ObjectMetaBuilder()
            .withName("nulls")
            .withNamespace("ns")
            .withCreationTimestamp("2026-11-27T09:00:00Z")
            .build());
    rule.setSpec(new QualityRuleSpec());
    rule.getSpec().severity = Severity.INFO;
    QualityResultStore store = new QualityResultStore();
    QualityResult failed = result("nulls", Severity.WARNING, false, "31 nulls", T0);
    store.offer(new Watermark("ns", "clicks", "VALIDATED.CLICKS", T0, T0, 100, 1, List.of(failed)));
    QualityCheck check =
        new QualityCheck(
            "nulls",
            null,
            QualityCheck.Kind.NULL_SPIKE,
            Severity.INFO,
            null,
            null,
            null,
            null,
            null,
            null);
    QualityCheck otherKind =
        new QualityCheck(
            "nulls",
            null,
            QualityCheck.Kind.VOLUME,
            Severity.INFO,
            null,
            null,
            null,
            null,
            null,
            null);

    // Evaluated as a warning, the rule is info now: the Pipeline passes.
    Condition info =
        QualityVerdict.pipeline(
            pipeline,
            List.of(rule),
            new WorkerConfig.Quality(null, null, null, List.of("nulls"), List.of(check)),
            store);
    rule.getSpec().severity = Severity.WARNING;
    Condition warning =
        QualityVerdict.pipeline(
            pipeline,
            List.of(rule),
            new WorkerConfig.Quality(null, null, null, List.of("nulls"), List.of(check)),
            store);
    // The rule no longer has a nullSpike check: its last result says nothing now.
    Condition removed =
        QualityVerdict.pipeline(
            pipeline,
            List.of(rule),
            new WorkerConfig.Quality(null, null, null, List.of("nulls"), List.of(otherKind)),
            store);

    assertThat(info.getStatus()).isEqualTo("True");
    assertThat(warning.getStatus()).isEqualTo("False");
    assertThat(removed.getReason()).isEqualTo(QualityVerdict.NOT_EVALUATED);
  }

  static QualityResult result(
      String rule, Severity severity, boolean passed, String message, Instant at) {
    return new QualityResult(
        rule,
        QualityCheck.Kind.NULL_SPIKE,
        "VALIDATED.CLICKS",
        severity,
        at,
        passed,
        100,
        passed ? 0 : 31,
        passed ? 0.0 : 0.31,
        0.06,
        message);
  }
}
