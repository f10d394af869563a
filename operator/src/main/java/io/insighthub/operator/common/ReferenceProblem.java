package io.insighthub.operator.common;

/**
 * A reference a resource makes that cannot be resolved.
 *
 * @param reason CamelCase reason of the Ready condition
 * @param message names the missing object and the field that references it
 */
public record ReferenceProblem(String reason, String message) {}
