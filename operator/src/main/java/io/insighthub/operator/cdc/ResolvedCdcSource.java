package io.insighthub.operator.cdc;

import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.pipeline.WorkerConfigBuilder;

/**
 * A CdcSource with its cdc-load config rendered once per reconcile, handed to the dependents
 * through the workflow context.
 */
public record ResolvedCdcSource(
    CdcSource source, OperatorConfig operator, String configJson, String configHash) {
  public static final String CONTEXT_KEY = ResolvedCdcSource.class.getName();

  public static ResolvedCdcSource resolve(CdcSource source, OperatorConfig operator) {
    String json = CdcLoaderBuilder.json(source, operator);
    return new ResolvedCdcSource(source, operator, json, WorkerConfigBuilder.hash(json));
  }
}
