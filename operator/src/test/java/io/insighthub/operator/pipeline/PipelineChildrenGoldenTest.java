package io.insighthub.operator.pipeline;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.QualityRule;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.testing.Golden;
import io.insighthub.operator.testing.Samples;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each sample Pipeline renders exactly the children in its golden file. */
class PipelineChildrenGoldenTest {
  static final OperatorConfig CONFIG = OperatorConfig.defaults().withKafkaCluster("insighthub");

  static List<String> samplePipelines() {
    return Samples.pipelineNames();
  }

  /** Everything a sample Pipeline renders, with the sample rules and CdcSource. */
  static List<HasMetadata> render(Pipeline pipeline) {
    CdcSource cdc =
        pipeline.getSpec().source.cdc != null
            ? Samples.cdcSource(pipeline.getSpec().source.cdc.sourceRef.name)
            : null;
    return render(pipeline, Samples.qualityRules(), cdc);
  }

  /** Everything a Pipeline renders, in the order the workflow applies it. */
  static List<HasMetadata> render(Pipeline pipeline, List<QualityRule> rules, CdcSource cdc) {
    ResolvedPipeline resolved = ResolvedPipeline.resolve(pipeline, rules, cdc, CONFIG);
    List<HasMetadata> children = new ArrayList<>();
    children.addAll(TopicBuilder.build(pipeline, resolved.kafkaCluster()));
    children.add(WorkerConfigMapBuilder.build(resolved));
    children.addAll(WorkerDeploymentBuilder.build(resolved));
    children.addAll(PipelineCronJobBuilder.build(resolved));
    return children;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samplePipelines")
  void samplePipelineRendersItsGoldenChildren(String name) {
    Golden.assertMatches("pipeline-" + name + ".yaml", render(Samples.pipeline(name)));
  }
}
