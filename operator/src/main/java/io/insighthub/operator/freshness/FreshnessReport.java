package io.insighthub.operator.freshness;

import io.insighthub.crds.v1alpha1.TableFreshness;
import java.util.List;

/**
 * A Pipeline's freshness at one instant: one entry per table, and the FreshnessSLAMet condition
 * they add up to, with the stalest table's lag and SLA for the printer columns.
 *
 * @param tables per-table freshness, in table order
 * @param met "True", "False" or "Unknown"
 * @param reason CamelCase reason of the condition
 * @param message human message naming the tables that decide it
 * @param worstLag the stalest table's lag, e.g. "43s"; null when no table has reported
 * @param sla the SLA the stalest table is held to, e.g. "2m"
 */
public record FreshnessReport(
    List<TableFreshness> tables,
    String met,
    String reason,
    String message,
    String worstLag,
    String sla) {}
