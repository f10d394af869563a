/**
 * The contracts between the operator and the runtime workers (DESIGN.md section 3): the worker
 * configuration the operator renders into a ConfigMap as JSON, and the watermark records every
 * loader publishes to {@code insighthub.watermarks}. Both sides use these classes, so the two can
 * never drift apart; neither depends on the other's internals.
 */
package io.insighthub.crds.worker;
