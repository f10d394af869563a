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

/** A bounded, chunked re-load of a Pipeline (or one table or transform) over [from, to). */
@Group(CrdConstants.GROUP)
@Version(CrdConstants.VERSION)
@Kind("Backfill")
@Plural("backfills")
@Singular("backfill")
@ShortNames({"bf"})
@Categories(CrdConstants.CATEGORY)
@AdditionalPrinterColumn(
    name = "Pipeline",
    jsonPath = ".spec.pipelineRef.name",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Progress",
    jsonPath = ".status.progress",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "ETA",
    jsonPath = ".status.eta",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class Backfill extends CustomResource<BackfillSpec, BackfillStatus> implements Namespaced {}
