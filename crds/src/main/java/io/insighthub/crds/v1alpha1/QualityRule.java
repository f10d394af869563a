package io.insighthub.crds.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.insighthub.crds.CrdConstants;

/** Data-quality checks bound to a Pipeline, folded into its workers' configuration. */
@Group(CrdConstants.GROUP)
@Version(CrdConstants.VERSION)
@Kind("QualityRule")
@Plural("qualityrules")
@Singular("qualityrule")
@ShortNames({"qr", "qrule"})
@Categories(CrdConstants.CATEGORY)
@AdditionalPrinterColumn(
    name = "Pipeline",
    jsonPath = ".spec.pipelineRef.name",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Passing",
    jsonPath = ".status.conditions[?(@.type==\"QualityPassing\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Failures",
    jsonPath = ".status.failCount",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Severity",
    jsonPath = ".spec.severity",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class QualityRule extends CustomResource<QualityRuleSpec, QualityRuleStatus>
    implements Namespaced {}
