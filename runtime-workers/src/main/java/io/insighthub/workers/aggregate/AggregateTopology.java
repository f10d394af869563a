package io.insighthub.workers.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insighthub.crds.v1alpha1.AggregateSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
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
        List.of(
            AggregateProcessor.SESSIONS_STORE,
            AggregateProcessor.USAGE_STORE,
            AggregateProcessor.USERS_STORE)) {
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
                AggregateProcessor.USAGE_STORE,
                AggregateProcessor.USERS_STORE);
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
  static String sessionId(String accountAndUser, long start) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((accountAndUser + "|" + start).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
    ObjectNode row = json.createObjectNode();
    row.put("session_id", id);
    row.put("account_id", state.account());
    row.put("user_key", state.userKey());
    row.put("session_start", Instant.ofEpochMilli(state.minTime()).toString());
    row.put("session_end", Instant.ofEpochMilli(state.maxTime()).toString());
    row.put("duration_seconds", (state.maxTime() - state.minTime()) / 1000);
    row.put("event_count", state.events());
    row.put("page_views", state.pageViews());
    row.put("bounce", state.events() == 1 && state.pageViews() == 1);
    row.put("platform", state.platform());
    return bytes(json, row);
  }

  static byte[] usageRow(
      ObjectMapper json, String account, String granularity, long startMillis, UsageState usage) {
    Instant start = Instant.ofEpochMilli(startMillis);
    ObjectNode row = json.createObjectNode();
    row.put("account_id", account);
    row.put("granularity", granularity);
    row.put("window_start", start.toString());
    row.put(
        "window_end",
        (granularity.equals(HOUR)
                ? start.plus(1, ChronoUnit.HOURS)
                : start.atZone(ZoneOffset.UTC).plusDays(1).toInstant())
            .toString());
    row.put("events", usage.events());
    ObjectNode byType = row.putObject("events_by_type");
    usage.eventsByType().forEach(byType::put);
    row.put("active_users", usage.activeUsers());
    row.put("api_calls", usage.apiCalls());
    row.put("sessions", usage.sessions());
    return bytes(json, row);
  }

  private static byte[] bytes(ObjectMapper json, ObjectNode row) {
    try {
      return json.writeValueAsBytes(row);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a validated event into the fields the aggregates use; skips (and counts) the rest. */
  private static final class ParseEvent implements FixedKeyProcessor<byte[], byte[], UsageEvent> {
    private final AggregateSettings settings;
    private final AggregateMetrics metrics;
    private final ObjectMapper json;
    private FixedKeyProcessorContext<byte[], UsageEvent> context;

    ParseEvent(AggregateSettings settings, AggregateMetrics metrics, ObjectMapper json) {
      this.settings = settings;
      this.metrics = metrics;
      this.json = json;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], UsageEvent> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
      metrics.in.increment();
      JsonNode event;
      try {
        event = record.value() == null ? null : json.readTree(record.value());
      } catch (IOException e) {
        event = null;
      }
      if (event == null || !event.isObject()) {
        metrics.unparseable.increment();
        return;
      }
      String account = text(event, settings.usage().groupBy);
      if (account == null) {
        metrics.noAccount.increment();
        return;
      }
      String user = text(event, settings.sessionize().userField);
      String device = text(event, settings.sessionize().deviceField);
      String userKey = user != null ? "user:" + user : device != null ? "device:" + device : null;
      context.forward(
          record.withValue(
              new UsageEvent(
                  record.timestamp(),
                  account,
                  user,
                  userKey,
                  text(event, settings.usage().eventTypeField),
                  text(event, AggregateSettings.PLATFORM_FIELD))));
    }

    private static String text(JsonNode event, String path) {
      JsonNode node = event;
      for (String part : path.split("\\.")) {
        node = node == null ? null : node.get(part);
      }
      return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }
  }
}
