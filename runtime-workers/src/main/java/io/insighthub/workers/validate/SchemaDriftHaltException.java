package io.insighthub.workers.validate;

import io.insighthub.workers.rows.JsonRows;

/** Thrown when a record drifts from the schema under the {@code halt} policy: the stage stops. */
final class SchemaDriftHaltException extends RuntimeException {
  SchemaDriftHaltException(String field) {
    super(
        "schema drift: field '"
            + JsonRows.printable(field)
            + "' is not in the declared schema and the drift policy is halt; declare the field or"
            + " change the policy, then restart");
  }
}
