package io.insighthub.workers.aggregate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insighthub.crds.v1alpha1.AggregateSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;

/**
 * validated → sessions (per account and user, else device, split by the inactivity gap) and account
 * usage (per account per hour and per day). The events are repartitioned once, by account, so one
 * processor ({@link AggregateProcessor}) holds every session and window of an account. A changed
 * row is emitted whole under its stable key (session id; account|granularity|window start) at most
 * once per emit interval, so the loader's MERGE replaces the previous version; a session merged
 * into another by a late event is deleted with a tombstone.
 */
final class AggregateTopology {
  static final String HOUR = "hour";
  static final String DAY = "day";

  private AggregateTopology() {}

  static Topology build(
      AggregateSettings settings,
      AggregateMetrics metrics,
      ObjectMapper json,
      Duration emitInterval) {
    // Internal records (the repartition topic, stores, changelogs) are binary; output rows JSON.
    List<AggregateProcessor.Granularity> windows =
        settings.usage().windows.stream()
            .map(
                w ->
                    w == AggregateSpec.Window.HOUR
                        ? AggregateProcessor.Granularity.HOUR
                        : AggregateProcessor.Granularity.DAY)
            .distinct()
            .toList();

    StreamsBuilder builder = new StreamsBuilder();
    for (String store :
        List.of(AggregateProcessor.SESSIONS_STORE, AggregateProcessor.USAGE_STORE)) {
      // Changelogged (exactly-once restores them) and cached: the updates of one key within a
      // commit reach the store and its changelog once.
      builder.addStateStore(
          Stores.keyValueStoreBuilder(
                  Stores.persistentKeyValueStore(store), Serdes.Bytes(), Serdes.ByteArray())
              .withCachingEnabled());
    }
    KStream<String, AggregateRow> rows =
        builder.stream(
                settings.validatedTopic(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                    .withTimestampExtractor(new EventTimeExtractor()))
            .processValues(() -> new ParseEvent(settings, metrics, json))
            .selectKey((key, event) -> event.account())
            .repartition(
                Repartitioned.<String, UsageEvent>as("by-account")
                    .withKeySerde(Serdes.String())
                    .withValueSerde(BinarySerde.usageEvent()))
            .process(
                () -> new AggregateProcessor(settings, metrics, json, windows, emitInterval),
                AggregateProcessor.SESSIONS_STORE,
                AggregateProcessor.USAGE_STORE);
    // The loader merges on the JSON key; a tombstone (null row) deletes a merged-away session.
    rows.filter((key, row) -> row.session())
        .mapValues(AggregateRow::json)
        .to(settings.sessionsTopic(), Produced.with(Serdes.String(), Serdes.ByteArray()));
    rows.filterNot((key, row) -> row.session())
        .mapValues(AggregateRow::json)
        .to(settings.usageTopic(), Produced.with(Serdes.String(), Serdes.ByteArray()));
    return builder.build();
  }

  /** Stable across restarts and replays: a hash of account, user and session start. */
  static String sessionId(MessageDigest sha256, String accountAndUser, long start) {
    byte[] digest = sha256.digest((accountAndUser + "|" + start).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest, 0, 16);
  }

  /** The sessions output key, as {@link #rowKey} writes it (a hex id needs no escaping). */
  static String sessionKey(String id) {
    return "{\"session_id\":\"" + id + "\"}";
  }

  /** The output record key: a JSON object naming the row's identity, as the loader merges on. */
  static String rowKey(ObjectMapper json, String... namesAndValues) {
    ObjectNode key = json.createObjectNode();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      key.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return key.toString();
  }

  static String usageKey(ObjectMapper json, String account, String granularity, long start) {
    return rowKey(
        json,
        "account_id",
        account,
        "granularity",
        granularity,
        "window_start",
        Instant.ofEpochMilli(start).toString());
  }

  static byte[] sessionRow(ObjectMapper json, String id, SessionState state) {
    return write(
        json,
        row -> {
          row.writeStringField("session_id", id);
          row.writeStringField("account_id", state.account());
          row.writeStringField("user_key", state.userKey());
          row.writeStringField("session_start", Instant.ofEpochMilli(state.minTime()).toString());
          row.writeStringField("session_end", Instant.ofEpochMilli(state.maxTime()).toString());
          row.writeNumberField("duration_seconds", (state.maxTime() - state.minTime()) / 1000);
          row.writeNumberField("event_count", state.events());
          row.writeNumberField("page_views", state.pageViews());
          row.writeBooleanField("bounce", state.events() == 1 && state.pageViews() == 1);
          row.writeStringField("platform", state.platform());
        });
  }

  static byte[] usageRow(
      ObjectMapper json, String account, String granularity, long startMillis, UsageState usage) {
    Instant start = Instant.ofEpochMilli(startMillis);
    Instant end =
        granularity.equals(HOUR)
            ? start.plus(1, ChronoUnit.HOURS)
            : start.atZone(ZoneOffset.UTC).plusDays(1).toInstant();
    return write(
        json,
        row -> {
          row.writeStringField("account_id", account);
          row.writeStringField("granularity", granularity);
          row.writeStringField("window_start", start.toString());
          row.writeStringField("window_end", end.toString());
          row.writeNumberField("events", usage.events());
          row.writeObjectFieldStart("events_by_type");
          for (Map.Entry<String, Long> type : usage.eventsByType().entrySet()) {
            row.writeNumberField(type.getKey(), type.getValue());
          }
          row.writeEndObject();
          row.writeNumberField("active_users", usage.activeUsers());
          row.writeNumberField("api_calls", usage.apiCalls());
          row.writeNumberField("sessions", usage.sessions());
        });
  }

  /** The fields of one JSON object, written as the mapper writes a tree (no tree built). */
  private interface Fields {
    void write(JsonGenerator row) throws IOException;
  }

  private static byte[] write(ObjectMapper json, Fields fields) {
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(256)) {
      try (JsonGenerator row = json.createGenerator(bytes)) {
        row.writeStartObject();
        fields.write(row);
        row.writeEndObject();
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a validated event into the fields the aggregates use; skips (and counts) the rest. */
  private static final class ParseEvent implements FixedKeyProcessor<byte[], byte[], UsageEvent> {
    private final AggregateMetrics metrics;
    private final EventFields fields;
    private FixedKeyProcessorContext<byte[], UsageEvent> context;

    ParseEvent(AggregateSettings settings, AggregateMetrics metrics, ObjectMapper json) {
      this.metrics = metrics;
      this.fields =
          new EventFields(
              json,
              List.of(
                  settings.usage().groupBy,
                  settings.sessionize().userField,
                  settings.sessionize().deviceField,
                  settings.usage().eventTypeField,
                  AggregateSettings.PLATFORM_FIELD));
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], UsageEvent> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
      metrics.in.increment();
      String[] event;
      try {
        event = record.value() == null ? null : fields.read(record.value());
      } catch (IOException e) {
        event = null;
      }
      if (event == null) {
        metrics.unparseable.increment();
        return;
      }
      String account = event[0];
      if (account == null) {
        metrics.noAccount.increment();
        return;
      }
      String user = event[1];
      String device = event[2];
      String userKey = user != null ? "user:" + user : device != null ? "device:" + device : null;
      // The validated record's lineage headers are not needed downstream: not repartitioned.
      context.forward(
          record
              .withValue(
                  new UsageEvent(record.timestamp(), account, user, userKey, event[3], event[4]))
              .withHeaders(new RecordHeaders()));
    }
  }
}
