package io.insighthub.operator.pipeline;

import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.TransformSpec;
import java.util.ArrayList;
import java.util.List;

/** The long-running worker stages a Pipeline can run as Deployments. */
public enum WorkerStage {
  VALIDATE("validate"),
  AGGREGATE("aggregate"),
  LOAD("load"),
  ARCHIVE("archive");

  private final String id;

  WorkerStage(String id) {
    this.id = id;
  }

  /** The worker subcommand and the suffix of the Deployment name. */
  public String id() {
    return id;
  }

  /**
   * The stages the source needs: an events source runs validate and load, plus aggregate when a
   * sessionize or aggregate transform is declared, and archive when spec.archive is. CDC tables are
   * loaded by their CdcSource's cdc-load worker and batch files by a CronJob, so those sources run
   * no Deployment.
   */
  public static List<WorkerStage> of(Pipeline pipeline) {
    List<WorkerStage> stages = new ArrayList<>();
    if (pipeline.getSpec().source == null || pipeline.getSpec().source.events == null) {
      return stages;
    }
    stages.add(VALIDATE);
    boolean streaming =
        pipeline.getSpec().transforms.stream()
            .anyMatch(
                t ->
                    t.type == TransformSpec.Type.SESSIONIZE
                        || t.type == TransformSpec.Type.AGGREGATE);
    if (streaming) {
      stages.add(AGGREGATE);
    }
    stages.add(LOAD);
    if (pipeline.getSpec().archive != null) {
      stages.add(ARCHIVE);
    }
    return stages;
  }
}
