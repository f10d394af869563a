package io.insighthub.workers.validate;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each raw record to exactly one place: the validated topic (checked, deduplicated, PII
 * minimized), the DLQ (with the reason), the late topic, or nowhere when it repeats an event id
 * within the dedup window. Its one store (ids seen, with their event times) is changelogged, so a
 * restarted task decides exactly as the crashed one would have: the newest event time that the
 * lateness check needs is the newest time in that store (every accepted event is written there and
 * only accepted events move it), so it is recomputed from the restored store instead of being
 * written per record; the same scan refills the in-memory {@link SeenIdFilter} that spares new ids
 * the store's range lookup.
 */
final class ValidateProcessor implements Processor<byte[], byte[], byte[], byte[]> {
  static final String DEDUP_STORE = "validate-dedup";
  static final String TO_VALIDATED = "validated-sink";
  static final String TO_DLQ = "dlq-sink";
  static final String TO_LATE = "late-sink";

  private static final Logger LOG = LoggerFactory.getLogger(ValidateProcessor.class);
  private static final int MAX_HEADER_CHARS = 200;

  private final ValidateSettings settings;
  private final ValidateMetrics metrics;
  private final DriftReporter drift;
  private final EventSchema schema;
  private final ObjectMapper json;
  private final PiiMinimizer pii;
  private final long lateness;
  private final long window;
  private final List<String[]> keyPaths;
  private final CompactEventReader compact;
  private ProcessorContext<byte[], byte[]> context;
  private WindowStore<String, Long> seenIds;
  private SeenIdFilter seenFilter;
  private long maxEventTime = Long.MIN_VALUE;

  ValidateProcessor(
      ValidateSettings settings, ValidateMetrics metrics, DriftReporter drift, ObjectMapper json) {
    this.settings = settings;
    this.metrics = metrics;
    this.drift = drift;
    this.json = json;
    this.schema = new EventSchema(settings.events());
    this.pii = new PiiMinimizer(settings.piiFields(), settings.hmacKey());
    this.lateness = settings.allowedLateness().toMillis();
    this.window = settings.dedupWindow().toMillis();
    List<String> keyFields = settings.events().keyFields;
    this.keyPaths =
        keyFields == null ? List.of() : keyFields.stream().map(f -> f.split("\\.")).toList();
    this.compact = new CompactEventReader(schema, pii, keyPaths);
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.seenIds = context.getStateStore(DEDUP_STORE);
    // init runs again when a task is revived after its state was wiped and restored: start over.
    this.seenFilter = new SeenIdFilter(window);
    this.maxEventTime = Long.MIN_VALUE;
    try (KeyValueIterator<Windowed<String>, Long> all = seenIds.all()) {
      while (all.hasNext()) {
        KeyValue<Windowed<String>, Long> seen = all.next();
        long time = seen.key.window().start();
        seenFilter.add(seen.key.key(), time);
        maxEventTime = Math.max(maxEventTime, time);
      }
    }
  }

  /** Where one record goes. */
  private sealed interface Outcome {}

  /** A validated event, already minimized and serialized. */
  private record Accept(byte[] key, byte[] value, long eventTime) implements Outcome {}

  private record Late(byte[] key, byte[] value, long eventTime) implements Outcome {}

  private record Reject(Reason reason, String detail) implements Outcome {}

  private record Duplicate() implements Outcome {}

  @Override
  public void process(Record<byte[], byte[]> record) {
    long started = System.nanoTime();
    metrics.in.increment();
    Outcome outcome;
    try {
      outcome = classify(record.value());
    } catch (SchemaDriftHaltException e) {
      throw e;
    } catch (RuntimeException e) {
      // A bug must not stop the stream: keep the record in the DLQ for reprocessing.
      LOG.warn("validate failed on a record, sent to the DLQ: {}", e.getClass().getName());
      outcome = new Reject(Reason.PROCESSING_ERROR, e.getClass().getSimpleName());
    }
    switch (outcome) {
      case Accept a -> {
        context.forward(output(record, a.key(), a.value(), a.eventTime(), null), TO_VALIDATED);
        metrics.validated.increment();
      }
      case Late l -> {
        context.forward(
            output(record, l.key(), l.value(), l.eventTime(), Reason.LATE_EVENT), TO_LATE);
        metrics.late.increment();
        metrics.lateOut.increment();
      }
      case Reject r -> {
        context.forward(rejected(record, r), TO_DLQ);
        metrics.dlq(r.reason());
      }
      case Duplicate d -> metrics.duplicates.increment();
    }
    metrics.latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }

  private Outcome classify(byte[] value) {
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
          () -> new Minimized(fast.key(), fast.minimized()));
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
    EventSchema.Result result = schema.check(event);
    if (result instanceof EventSchema.Rejected r) {
      return new Reject(r.reason(), "field '" + printable(r.field()) + "' " + r.detail());
    }
    EventSchema.Accepted accepted = (EventSchema.Accepted) result;
    return route(
        accepted.eventId(),
        accepted.eventTimeMillis(),
        accepted.undeclared(),
        () -> {
          pii.apply(event);
          return new Minimized(key(event), serialize(event));
        });
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
      java.util.function.Supplier<Minimized> minimize) {
    if (!undeclared.isEmpty()) {
      switch (settings.driftPolicy()) {
        case EVOLVE -> undeclared.forEach(drift::report);
        case QUARANTINE -> {
          return new Reject(
              Reason.SCHEMA_DRIFT,
              "field '" + printable(undeclared.get(0)) + "' is not in the declared schema");
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
    long newest = newestEventTime();
    Minimized minimized = minimize.get();
    if (newest != Long.MIN_VALUE && eventTime < newest - lateness) {
      return new Late(minimized.key(), minimized.value(), eventTime);
    }
    if (isDuplicate(eventId, eventTime)) {
      return new Duplicate();
    }
    seenIds.put(eventId, eventTime, eventTime);
    seenFilter.add(eventId, eventTime);
    if (eventTime > newest) {
      maxEventTime = eventTime;
      // No lookup reaches below newest - lateness - window (older events are late).
      seenFilter.expireBefore(eventTime - lateness - window);
    }
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

  private boolean isDuplicate(String eventId, long eventTime) {
    if (!seenFilter.mightContain(eventId, eventTime)) {
      return false;
    }
    try (WindowStoreIterator<Long> seen =
        seenIds.fetch(eventId, eventTime - window, eventTime + window)) {
      return seen.hasNext();
    }
  }

  private long newestEventTime() {
    return maxEventTime;
  }

  private Record<byte[], byte[]> output(
      Record<byte[], byte[]> in, byte[] key, byte[] value, long eventTime, Reason reason) {
    Headers headers = source(new RecordHeaders());
    headers.add(OutputHeaders.EVENT_TIME, bytes(Long.toString(eventTime)));
    if (reason != null) {
      headers.add(OutputHeaders.REASON, bytes(reason.name()));
    }
    return new Record<>(key, value, in.timestamp(), headers);
  }

  private Record<byte[], byte[]> rejected(Record<byte[], byte[]> in, Reject reject) {
    Headers headers = source(new RecordHeaders(in.headers().toArray()));
    headers.add(OutputHeaders.REASON, bytes(reject.reason().name()));
    headers.add(OutputHeaders.REASON_DETAIL, bytes(reject.detail()));
    byte[] value = in.value();
    if (value != null && value.length > settings.maxEventBytes()) {
      // The whole record stays in the raw topic at the source offset; the DLQ keeps a prefix.
      headers.add(OutputHeaders.TRUNCATED_FROM_BYTES, bytes(Integer.toString(value.length)));
      value = Arrays.copyOf(value, settings.maxEventBytes());
    }
    return new Record<>(in.key(), value, in.timestamp(), headers);
  }

  private Headers source(Headers headers) {
    context
        .recordMetadata()
        .ifPresent(
            (RecordMetadata m) -> {
              headers.add(OutputHeaders.SOURCE_TOPIC, bytes(m.topic()));
              headers.add(OutputHeaders.SOURCE_PARTITION, bytes(Integer.toString(m.partition())));
              headers.add(OutputHeaders.SOURCE_OFFSET, bytes(Long.toString(m.offset())));
            });
    return headers;
  }

  private byte[] key(ObjectNode event) {
    return key(event, keyPaths);
  }

  /** The record key: the key fields' values after minimization, so no raw PII reaches it. */
  static byte[] key(ObjectNode event, List<String[]> keyPaths) {
    if (keyPaths.isEmpty()) {
      return null;
    }
    if (keyPaths.size() == 1) {
      JsonNode value = EventSchema.resolve(event, keyPaths.get(0));
      return value == null || value.isNull() ? null : bytes(value.asText());
    }
    StringBuilder key = new StringBuilder();
    for (String[] path : keyPaths) {
      JsonNode value = EventSchema.resolve(event, path);
      key.append(key.isEmpty() ? "" : "|").append(value == null ? "" : value.asText());
    }
    return bytes(key.toString());
  }

  /** A field name fit for a header or a log line: bounded, without control characters. */
  static String printable(String name) {
    String cut = name.length() > MAX_HEADER_CHARS ? name.substring(0, MAX_HEADER_CHARS) : name;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
