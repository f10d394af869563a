package io.insighthub.workers.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insighthub.crds.v1alpha1.AggregateSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * validated → sessions (per account and user, else device, split by the inactivity gap) and account
 * usage (per account per hour and per day). Every change re-emits the whole row under its stable
 * key (session id; account|granularity|window start), so the loader's MERGE replaces the previous
 * version; a session merged into another by a late event is deleted with a tombstone.
 */
final class AggregateTopology {
  static final String HOUR = "hour";
  static final String DAY = "day";

  private AggregateTopology() {}

  static Topology build(AggregateSettings settings, AggregateMetrics metrics, ObjectMapper json) {
    // Internal records (repartition topics, stores, changelogs) are binary; output rows are JSON.
    Serde<UsageEvent> eventSerde = BinarySerde.usageEvent();
    Serde<SessionState> sessionSerde = BinarySerde.sessionState();
    Serde<UsageState> usageSerde = BinarySerde.usageState();
    Serde<SessionStart> startSerde = BinarySerde.sessionStart();
    String pageView = settings.sessionize().pageViewType;
    String apiCall = settings.usage().apiCallType;
    List<String> windows =
        settings.usage().windows.stream()
            .map(w -> w == AggregateSpec.Window.HOUR ? HOUR : DAY)
            .distinct()
            .toList();

    StreamsBuilder builder = new StreamsBuilder();
    KStream<byte[], UsageEvent> events =
        builder.stream(
                settings.validatedTopic(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                    .withTimestampExtractor(new EventTimeExtractor()))
            .processValues(() -> new ParseEvent(settings, metrics, json));

    // Sessions per account and user (or device).
    KTable<Windowed<String>, SessionState> sessions =
        events
            .filter((key, event) -> event.userKey() != null)
            .selectKey((key, event) -> event.account() + "|" + event.userKey())
            .groupByKey(Grouped.with("sessions-by-user", Serdes.String(), eventSerde))
            .windowedBy(
                SessionWindows.ofInactivityGapAndGrace(settings.inactivityGap(), settings.grace()))
            .aggregate(
                () -> SessionState.EMPTY,
                (key, event, state) -> state.add(event, pageView),
                (key, left, right) -> left.merge(right),
                Materialized
                    .<String, SessionState,
                        org.apache.kafka.streams.state.SessionStore<
                            org.apache.kafka.common.utils.Bytes, byte[]>>
                        as("sessions")
                    .withKeySerde(Serdes.String())
                    .withValueSerde(sessionSerde));
    KStream<String, SessionState> sessionChanges =
        sessions.toStream().map((window, state) -> KeyValue.pair(sessionId(window), state));
    sessionChanges
        .mapValues(
            (id, state) -> {
              metrics.sessionsOut.increment();
              return state == null ? null : sessionRow(json, id, state);
            })
        // The loader merges on the JSON key; a merged-away session's tombstone deletes its row.
        .selectKey((id, row) -> rowKey(json, "session_id", id))
        .to(settings.sessionsTopic(), Produced.with(Serdes.String(), Serdes.ByteArray()));

    // Sessions started per account and window, following merges and deletions.
    KTable<String, SessionStart> sessionTable =
        sessionChanges
            .mapValues(
                state -> state == null ? null : new SessionStart(state.account(), state.minTime()))
            .toTable(Materialized.with(Serdes.String(), startSerde));
    KStream<String, Long> sessionCounts = null;
    for (String granularity : windows) {
      KStream<String, Long> counts =
          sessionTable
              .groupBy(
                  (id, start) ->
                      KeyValue.pair(bucket(start.account(), granularity, start.time()), id),
                  Grouped.with("sessions-per-" + granularity, Serdes.String(), Serdes.String()))
              .count(Materialized.with(Serdes.String(), Serdes.Long()))
              .toStream();
      sessionCounts = sessionCounts == null ? counts : sessionCounts.merge(counts);
    }
    KTable<String, Long> sessionsPerWindow =
        sessionCounts.toTable(Materialized.with(Serdes.String(), Serdes.Long()));

    // Usage per account and window.
    KTable<String, UsageState> usage =
        events
            .flatMap(
                (key, event) -> {
                  List<KeyValue<String, UsageEvent>> out = new ArrayList<>(windows.size());
                  for (String granularity : windows) {
                    out.add(
                        KeyValue.pair(bucket(event.account(), granularity, event.time()), event));
                  }
                  return out;
                })
            .groupByKey(Grouped.with("usage-by-window", Serdes.String(), eventSerde))
            .aggregate(
                UsageState::empty,
                (key, event, state) -> state.add(event, apiCall),
                Materialized.with(Serdes.String(), usageSerde));
    usage
        .leftJoin(sessionsPerWindow, UsageWithSessions::new)
        .toStream()
        .map(
            (key, joined) -> {
              metrics.usageOut.increment();
              return KeyValue.pair(
                  usageKey(json, key), joined == null ? null : usageRow(json, key, joined));
            })
        .to(settings.usageTopic(), Produced.with(Serdes.String(), Serdes.ByteArray()));
    return builder.build();
  }

  /** When and for which account a session started. */
  record SessionStart(String account, long time) {}

  record UsageWithSessions(UsageState usage, Long sessions) {}

  /** The usage row key: account|granularity|window start (ISO-8601, UTC). */
  static String bucket(String account, String granularity, long time) {
    Instant start =
        Instant.ofEpochMilli(time)
            .truncatedTo(granularity.equals(HOUR) ? ChronoUnit.HOURS : ChronoUnit.DAYS);
    return account + "|" + granularity + "|" + start;
  }

  /** Stable across restarts and replays: a hash of account, user and session start. */
  static String sessionId(Windowed<String> window) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  (window.key() + "|" + window.window().start()).getBytes(StandardCharsets.UTF_8));
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

  private static String usageKey(ObjectMapper json, String bucket) {
    int last = bucket.lastIndexOf('|');
    int middle = bucket.lastIndexOf('|', last - 1);
    return rowKey(
        json,
        "account_id",
        bucket.substring(0, middle),
        "granularity",
        bucket.substring(middle + 1, last),
        "window_start",
        bucket.substring(last + 1));
  }

  private static byte[] sessionRow(ObjectMapper json, String id, SessionState state) {
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

  private static byte[] usageRow(ObjectMapper json, String key, UsageWithSessions joined) {
    int last = key.lastIndexOf('|');
    int middle = key.lastIndexOf('|', last - 1);
    String granularity = key.substring(middle + 1, last);
    Instant start = Instant.parse(key.substring(last + 1));
    ObjectNode row = json.createObjectNode();
    row.put("account_id", key.substring(0, middle));
    row.put("granularity", granularity);
    row.put("window_start", start.toString());
    row.put(
        "window_end",
        (granularity.equals(HOUR)
                ? start.plus(1, ChronoUnit.HOURS)
                : start.atZone(ZoneOffset.UTC).plusDays(1).toInstant())
            .toString());
    row.put("events", joined.usage().events());
    ObjectNode byType = row.putObject("events_by_type");
    joined.usage().eventsByType().forEach(byType::put);
    row.put("active_users", joined.usage().users().size());
    row.put("api_calls", joined.usage().apiCalls());
    row.put("sessions", joined.sessions() == null ? 0 : joined.sessions());
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
