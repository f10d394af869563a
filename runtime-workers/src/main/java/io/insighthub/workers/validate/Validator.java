package io.insighthub.workers.validate;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insighthub.workers.rows.CompactEventReader;
import io.insighthub.workers.rows.JsonRows;
import io.insighthub.workers.rows.PiiMinimizer;
import io.insighthub.workers.rows.Reason;
import io.insighthub.workers.rows.RowSchema;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides where each raw record goes: the validated topic (checked, deduplicated, PII minimized),
 * the DLQ (with the reason), the late topic, or nowhere when it repeats an event id within the
 * dedup window. The dedup and lateness state is the {@link SeenIds} of the record's partition,
 * which the caller owns and logs with its transaction. Free of Kafka clients, so the verdicts can
 * be checked alone; not thread-safe: one per processing thread.
 */
final class Validator {
  private static final Logger LOG = LoggerFactory.getLogger(Validator.class);

  private final ValidateSettings settings;
  private final DriftReporter drift;
  private final RowSchema schema;
  private final ObjectMapper json;
  private final PiiMinimizer pii;
  private final List<String[]> keyPaths;
  private final CompactEventReader compact;
  private final long[] hash = new long[2];

  Validator(ValidateSettings settings, DriftReporter drift) {
    this.settings = settings;
    this.drift = drift;
    this.json = JsonRows.mapper();
    this.schema = new RowSchema(settings.events());
    this.pii = new PiiMinimizer(settings.piiFields(), settings.hmacKey());
    List<String> keyFields = settings.events().keyFields;
    this.keyPaths =
        keyFields == null ? List.of() : keyFields.stream().map(f -> f.split("\\.")).toList();
    this.compact = new CompactEventReader(schema, pii, keyPaths);
  }

  /** Where one record goes. */
  sealed interface Outcome {}

  /** A validated event, already minimized and serialized. */
  record Accept(byte[] key, byte[] value, long eventTime) implements Outcome {}

  /** An event older than the allowed lateness behind the newest, minimized like an accepted one. */
  record Late(byte[] key, byte[] value, long eventTime) implements Outcome {}

  record Reject(Reason reason, String detail) implements Outcome {}

  record Duplicate() implements Outcome {}

  private static final Duplicate DUPLICATE = new Duplicate();

  /**
   * The verdict for one raw value, reading and updating {@code seen}, the state of its partition. A
   * failure of this code on one record is a {@link Reason#PROCESSING_ERROR} verdict, never an
   * exception; only the drift policy {@code halt} throws ({@link SchemaDriftHaltException}).
   */
  Outcome classify(byte[] value, SeenIds seen) {
    try {
      return check(value, seen);
    } catch (SchemaDriftHaltException e) {
      throw e;
    } catch (RuntimeException e) {
      // A bug must not stop the stream: keep the record in the DLQ for reprocessing.
      LOG.warn("validate failed on a record, sent to the DLQ: {}", e.getClass().getName());
      return new Reject(Reason.PROCESSING_ERROR, e.getClass().getSimpleName());
    }
  }

  private Outcome check(byte[] value, SeenIds seen) {
    if (value == null || value.length == 0) {
      return new Reject(Reason.MALFORMED_JSON, "empty record");
    }
    if (value.length > settings.maxEventBytes()) {
      return new Reject(
          Reason.EVENT_TOO_LARGE,
          value.length + " bytes, more than maxEventBytes " + settings.maxEventBytes());
    }
    CompactEventReader.Candidate fast = readCompact(value);
    if (fast != null) {
      return route(
          fast.eventId(),
          fast.eventTimeMillis(),
          fast.undeclared(),
          () -> new Minimized(fast.key(), fast.minimized()),
          seen);
    }
    JsonNode parsed;
    try {
      parsed = json.readTree(value);
    } catch (JacksonException e) {
      // The parser's message may quote the payload; only its kind is reported.
      return new Reject(
          Reason.MALFORMED_JSON, "not valid JSON (" + e.getClass().getSimpleName() + ")");
    } catch (java.io.IOException e) {
      return new Reject(Reason.MALFORMED_JSON, "not valid JSON");
    }
    if (parsed == null || !parsed.isObject()) {
      return new Reject(Reason.MALFORMED_JSON, "not a JSON object");
    }
    ObjectNode event = (ObjectNode) parsed;
    RowSchema.Result result = schema.check(event);
    if (result instanceof RowSchema.Rejected r) {
      return new Reject(r.reason(), "field '" + JsonRows.printable(r.field()) + "' " + r.detail());
    }
    RowSchema.Accepted accepted = (RowSchema.Accepted) result;
    return route(
        accepted.eventId(),
        accepted.eventTimeMillis(),
        accepted.undeclared(),
        () -> {
          pii.apply(event);
          return new Minimized(key(event), serialize(event));
        },
        seen);
  }

  /** The key and value of an accepted event after PII minimization. */
  private record Minimized(byte[] key, byte[] value) {}

  /** The compact fast path's verdict, or null to take the tree path (also on any surprise). */
  private CompactEventReader.Candidate readCompact(byte[] value) {
    try {
      return compact.read(value);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Drift policy, time range, lateness and dedup for an event that passed the schema checks. */
  private Outcome route(
      String eventId,
      long eventTime,
      List<String> undeclared,
      java.util.function.Supplier<Minimized> minimize,
      SeenIds seen) {
    if (!undeclared.isEmpty()) {
      switch (settings.driftPolicy()) {
        case EVOLVE -> undeclared.forEach(drift::report);
        case QUARANTINE -> {
          return new Reject(
              Reason.SCHEMA_DRIFT,
              "field '"
                  + JsonRows.printable(undeclared.get(0))
                  + "' is not in the declared schema");
        }
        case HALT -> throw new SchemaDriftHaltException(undeclared.get(0));
      }
    }
    if (eventTime > System.currentTimeMillis() + ValidateSettings.MAX_FUTURE_SKEW.toMillis()) {
      return new Reject(
          Reason.EVENT_TIME_OUT_OF_RANGE,
          "field '"
              + settings.events().eventTimeField
              + "' is more than "
              + ValidateSettings.MAX_FUTURE_SKEW.toHours()
              + "h in the future");
    }
    Minimized minimized = minimize.get();
    if (seen.isLate(eventTime)) {
      return new Late(minimized.key(), minimized.value(), eventTime);
    }
    SeenIds.hash(eventId, hash);
    if (seen.contains(hash[0], hash[1], eventTime)) {
      return DUPLICATE;
    }
    seen.accept(hash[0], hash[1], eventTime);
    return new Accept(minimized.key(), minimized.value(), eventTime);
  }

  private byte[] serialize(ObjectNode event) {
    try {
      return json.writeValueAsBytes(event);
    } catch (JacksonException e) {
      // E.g. an escaped lone UTF-16 surrogate, which cannot be written as UTF-8.
      throw new IllegalArgumentException("event cannot be re-serialized", e);
    }
  }

  private byte[] key(ObjectNode event) {
    return JsonRows.key(event, keyPaths);
  }
}
