package io.insighthub.operator.cdc;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.operator.OperatorConfig;
import io.insighthub.operator.testing.Golden;
import io.insighthub.operator.testing.Samples;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sample CdcSource renders exactly the children in its golden file. */
class CdcSourceChildrenGoldenTest {
  static final OperatorConfig CONFIG = OperatorConfig.defaults().withKafkaCluster("insighthub");

  static List<HasMetadata> render(CdcSource source) {
    ResolvedCdcSource resolved = ResolvedCdcSource.resolve(source, CONFIG);
    return List.of(
        ConnectorBuilder.build(source),
        CdcLoaderBuilder.configMap(source, resolved.configJson(), resolved.configHash()),
        CdcLoaderBuilder.deployment(source, CONFIG, resolved.configHash()));
  }

  @Test
  void theSampleCdcSourceRendersItsGoldenChildren() {
    Golden.assertMatches("cdcsource-billing-db.yaml", render(Samples.cdcSource("billing-db")));
  }
}
