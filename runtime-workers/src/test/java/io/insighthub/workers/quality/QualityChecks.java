package io.insighthub.workers.quality;

import io.insighthub.crds.v1alpha1.NullSpikeCheck;
import io.insighthub.crds.v1alpha1.QualityRuleSpec;
import io.insighthub.crds.v1alpha1.VolumeCheck;
import io.insighthub.crds.worker.QualityCheck;

/** Fixtures: folded checks as the operator renders them. */
public final class QualityChecks {
  private QualityChecks() {}

  public static QualityCheck nullSpike(
      String rule, String table, String field, Double maxRatio, Double maxFactor) {
    NullSpikeCheck spec = new NullSpikeCheck();
    spec.field = field;
    spec.maxNullRatio = maxRatio;
    spec.maxFactor = maxFactor;
    return new QualityCheck(
        rule,
        table,
        QualityCheck.Kind.NULL_SPIKE,
        QualityRuleSpec.Severity.WARNING,
        QualityRuleSpec.Action.ALERT,
        null,
        null,
        spec,
        null,
        null);
  }

  public static QualityCheck volume(String rule, Long min, Long max, String interval) {
    VolumeCheck spec = new VolumeCheck();
    spec.minRows = min;
    spec.maxRows = max;
    spec.interval = interval;
    return new QualityCheck(
        rule,
        null,
        QualityCheck.Kind.VOLUME,
        QualityRuleSpec.Severity.CRITICAL,
        QualityRuleSpec.Action.ALERT,
        null,
        null,
        null,
        null,
        spec);
  }
}
