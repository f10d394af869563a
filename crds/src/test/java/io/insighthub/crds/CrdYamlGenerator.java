package io.insighthub.crds;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.insighthub.crds.v1alpha1.Backfill;
import io.insighthub.crds.v1alpha1.CdcSource;
import io.insighthub.crds.v1alpha1.Pipeline;
import io.insighthub.crds.v1alpha1.QualityRule;
import java.io.File;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Generates the CRD YAML of the API model with the fabric8 CRD generator (run by the build in
 * process-test-classes). The only post-processing puts printer columns in the order the classes
 * declare them, since kubectl shows them in CRD order and the generator sorts them by JSON path.
 */
public final class CrdYamlGenerator {
  static final List<Class<? extends HasMetadata>> RESOURCES =
      List.of(Pipeline.class, CdcSource.class, QualityRule.class, Backfill.class);

  private CrdYamlGenerator() {}

  public static void main(String[] args) {
    File out = new File(args.length > 0 ? args[0] : "target/crds");
    if (!out.isDirectory() && !out.mkdirs()) {
      throw new IllegalStateException("cannot create " + out);
    }
    Map<String, Class<?>> byKind =
        RESOURCES.stream().collect(Collectors.toMap(CrdYamlGenerator::kindOf, Function.identity()));
    int written =
        new CRDGenerator()
            .customResourceClasses(RESOURCES)
            .forCRDVersions("v1")
            .withPostProcessor(orderPrinterColumns(byKind))
            .inOutputDir(out)
            .generate();
    System.out.printf("Generated %d CRDs into %s%n", written, out);
  }

  private static String kindOf(Class<?> type) {
    return type.getAnnotation(io.fabric8.kubernetes.model.annotation.Kind.class).value();
  }

  private static CRDPostProcessor orderPrinterColumns(Map<String, Class<?>> byKind) {
    return new CRDPostProcessor() {
      @Override
      public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        CustomResourceDefinition definition = (CustomResourceDefinition) crd;
        Class<?> type = byKind.get(definition.getSpec().getNames().getKind());
        List<String> declared =
            Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name)
                .toList();
        Comparator<CustomResourceColumnDefinition> byDeclaration =
            Comparator.comparingInt(c -> declared.indexOf(c.getName()));
        definition
            .getSpec()
            .getVersions()
            .forEach(v -> v.getAdditionalPrinterColumns().sort(byDeclaration));
        return definition;
      }
    };
  }
}
