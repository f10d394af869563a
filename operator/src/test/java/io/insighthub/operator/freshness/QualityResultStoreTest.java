package io.insighthub.operator.freshness;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.v1alpha1.QualityRuleSpec.Severity;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import io.insighthub.crds.worker.Watermark;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class QualityResultStoreTest {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void keepsEvaluationsInOrderAndTheLatestPerCheckAndTable() {
    QualityResultStore store = new QualityResultStore();
    store.offer(mark(result("nulls", "VALIDATED.A", true, T0)));
    store.offer(mark(result("nulls", "VALIDATED.B", false, T0.plusSeconds(1))));
    store.offer(mark(result("nulls", "VALIDATED.A", false, T0.plusSeconds(2))));

    assertThat(store.after("ns", "p", "nulls", T0)).hasSize(2);
    assertThat(store.latest("ns", "p", "nulls", T0))
        .extracting(QualityResult::table, QualityResult::passed)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("VALIDATED.A", false),
            org.assertj.core.groups.Tuple.tuple("VALIDATED.B", false));
    assertThat(store.latest("ns", "p", "nulls", T0.plusSeconds(2))).hasSize(1);
    assertThat(store.after("ns", "other", "nulls", Instant.EPOCH)).isEmpty();
  }

  @Test
  void keepsABoundedNumberAndForgetsADeletedRule() {
    QualityResultStore store = new QualityResultStore();
    for (int i = 0; i < QualityResultStore.KEEP + 10; i++) {
      store.offer(mark(result("nulls", "VALIDATED.A", true, T0.plusSeconds(i))));
    }

    assertThat(store.after("ns", "p", "nulls", Instant.EPOCH)).hasSize(QualityResultStore.KEEP);
    store.forget("ns", "p", "nulls");
    assertThat(store.latest("ns", "p", "nulls", Instant.EPOCH)).isEmpty();
  }

  @Test
  void aWatermarkWithoutResultsChangesNothing() {
    QualityResultStore store = new QualityResultStore();

    assertThat(store.offer(new Watermark("ns", "p", "VALIDATED.A", T0, T0, 1, 0))).isFalse();
  }

  static Watermark mark(QualityResult result) {
    return new Watermark(
        "ns", "p", result.table(), null, result.evaluatedAt(), 1, 0, List.of(result));
  }

  static QualityResult result(String rule, String table, boolean passed, Instant at) {
    return new QualityResult(
        rule,
        QualityCheck.Kind.NULL_SPIKE,
        table,
        Severity.WARNING,
        at,
        passed,
        10,
        passed ? 0 : 5,
        passed ? 0.0 : 0.5,
        0.2,
        "null ratio");
  }
}
