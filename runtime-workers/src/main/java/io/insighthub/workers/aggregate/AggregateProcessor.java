package io.insighthub.workers.aggregate;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Sessions and account usage of the accounts of one task (its input is keyed by account), in three
 * changelogged stores: the sessions per account and user, the usage per account and window (with
 * the sessions started in it), and the users seen per window. Rows are not emitted per event: a
 * changed row is marked in its stored value and, every emit interval (wall clock), the latest
 * version of each marked row is emitted once and the mark cleared, in the same transaction. A crash
 * between a change and its emission restores the mark, so the row is emitted after the restore.
 * Sessions and windows closed for longer than the grace are dropped from the stores.
 */
final class AggregateProcessor implements Processor<String, UsageEvent, String, AggregateRow> {
  static final String SESSIONS_STORE = "aggregate-sessions";
  static final String USAGE_STORE = "aggregate-usage";
  static final String USERS_STORE = "aggregate-usage-users";

  private static final byte[] PRESENT = {1};

  private final AggregateSettings settings;
  private final AggregateMetrics metrics;
  private final ObjectMapper json;
  private final Duration emitInterval;
  private final List<Granularity> windows;
  private final long gap;
  private final long grace;
  private final String pageView;
  private final String apiCall;
  private final Serializer<UserSessions> sessionsOut = BinarySerde.userSessions().serializer();
  private final Deserializer<UserSessions> sessionsIn = BinarySerde.userSessions().deserializer();
  private final Serializer<UsageState> usageOut = BinarySerde.usageState().serializer();
  private final Deserializer<UsageState> usageIn = BinarySerde.usageState().deserializer();

  private ProcessorContext<String, AggregateRow> context;
  private KeyValueStore<Bytes, byte[]> sessions;
  private KeyValueStore<Bytes, byte[]> usage;
  private KeyValueStore<Bytes, byte[]> users;
  // What is marked in the stores, kept in memory so an emission does not scan them.
  private final Set<Bytes> changedSessions = new LinkedHashSet<>();
  private final Set<Bytes> changedUsage = new LinkedHashSet<>();
  private long observedStreamTime = Long.MIN_VALUE;
  private long lastSessionExpiry = Long.MIN_VALUE;

  /** An hour or day window: its name in the rows, its key byte and length. */
  enum Granularity {
    HOUR(AggregateTopology.HOUR, (byte) 'h', 3_600_000L),
    DAY(AggregateTopology.DAY, (byte) 'd', 86_400_000L);

    final String label;
    final byte code;
    final long millis;

    Granularity(String label, byte code, long millis) {
      this.label = label;
      this.code = code;
      this.millis = millis;
    }

    long start(long time) {
      return Math.floorDiv(time, millis) * millis;
    }

    static Granularity of(byte code) {
      return code == HOUR.code ? HOUR : DAY;
    }
  }

  AggregateProcessor(
      AggregateSettings settings,
      AggregateMetrics metrics,
      ObjectMapper json,
      List<Granularity> windows,
      Duration emitInterval) {
    this.settings = settings;
    this.metrics = metrics;
    this.json = json;
    this.windows = windows;
    this.emitInterval = emitInterval;
    this.gap = settings.inactivityGap().toMillis();
    this.grace = settings.grace().toMillis();
    this.pageView = settings.sessionize().pageViewType;
    this.apiCall = settings.usage().apiCallType;
  }

  @Override
  public void init(ProcessorContext<String, AggregateRow> context) {
    this.context = context;
    sessions = context.getStateStore(SESSIONS_STORE);
    usage = context.getStateStore(USAGE_STORE);
    users = context.getStateStore(USERS_STORE);
    changedSessions.clear();
    changedUsage.clear();
    // After a restore, rows changed but not emitted before the crash are marked in the stores.
    try (KeyValueIterator<Bytes, byte[]> all = sessions.all()) {
      all.forEachRemaining(
          kv -> {
            if (sessionsIn.deserialize(SESSIONS_STORE, kv.value).pending()) {
              changedSessions.add(kv.key);
            }
          });
    }
    try (KeyValueIterator<Bytes, byte[]> all = usage.all()) {
      all.forEachRemaining(
          kv -> {
            if (usageIn.deserialize(USAGE_STORE, kv.value).dirty()) {
              changedUsage.add(kv.key);
            }
          });
    }
    observedStreamTime = context.currentStreamTimeMs();
    lastSessionExpiry = Long.MIN_VALUE;
    context.schedule(emitInterval, PunctuationType.WALL_CLOCK_TIME, now -> emit());
  }

  @Override
  public void process(Record<String, UsageEvent> record) {
    UsageEvent event = record.value();
    long time = event.time();
    observedStreamTime = Math.max(observedStreamTime, time);
    observedStreamTime = Math.max(observedStreamTime, context.currentStreamTimeMs());
    boolean late = false;

    // Sessions started per window, by usage key: -1 where a merged-away session started, +1
    // where the new or grown session starts (a session that only grows at its end nets 0).
    Map<Bytes, Long> startDeltas = null;
    if (event.userKey() != null) {
      startDeltas = session(event);
      late = startDeltas == null;
    }
    for (Granularity g : windows) {
      long start = g.start(time);
      if (closed(g, start)) {
        late = true;
        continue;
      }
      Bytes key = usageKey(g, start, event.account());
      Long delta = startDeltas == null ? null : startDeltas.remove(key);
      boolean newUser = false;
      if (event.user() != null) {
        Bytes seen = seenUserKey(key, event.user());
        if (users.get(seen) == null) {
          users.put(seen, PRESENT);
          newUser = true;
        }
      }
      byte[] stored = usage.get(key);
      UsageState state = stored == null ? UsageState.empty() : usageIn.deserialize(null, stored);
      usage.put(
          key,
          usageOut.serialize(
              null, state.add(event, apiCall, newUser, delta == null ? 0 : delta.longValue())));
      changedUsage.add(key);
    }
    if (startDeltas != null) {
      startDeltas.forEach(
          (key, delta) -> {
            byte[] stored = delta == 0 ? null : usage.get(key);
            // A window already closed (or never counted) keeps its final count.
            if (stored != null && !closed(Granularity.of(key.get()[0]), startOf(key))) {
              usage.put(
                  key,
                  usageOut.serialize(null, usageIn.deserialize(null, stored).withSessions(delta)));
              changedUsage.add(key);
            }
          });
    }
    if (late) {
      metrics.late.increment();
    }
  }

  /**
   * Adds the event to its user's sessions, merging those it bridges (within the inactivity gap on
   * either side), as Kafka Streams' session windows do. Returns the session-start changes per usage
   * key, or null when the resulting session is closed (the event is late).
   */
  private Map<Bytes, Long> session(UsageEvent event) {
    long time = event.time();
    Bytes key =
        Bytes.wrap((event.account() + "|" + event.userKey()).getBytes(StandardCharsets.UTF_8));
    byte[] stored = sessions.get(key);
    UserSessions user =
        stored == null ? UserSessions.empty() : sessionsIn.deserialize(null, stored);
    List<SessionState> merged = new ArrayList<>(1);
    long end = time;
    for (UserSessions.Session s : user.sessions) {
      SessionState state = s.state();
      if (state.maxTime() >= time - gap && state.minTime() <= time + gap) {
        merged.add(state);
        end = Math.max(end, state.maxTime());
      }
    }
    if (end < observedStreamTime - gap - grace) {
      return null;
    }
    SessionState session = SessionState.EMPTY;
    for (SessionState state : merged) {
      session = session.merge(state);
    }
    session = session.add(event, pageView);
    Map<Bytes, Long> deltas = new HashMap<>(4);
    for (SessionState state : merged) {
      user.sessions.removeIf(s -> s.state() == state);
      if (state.minTime() != session.minTime()) {
        // Its id (account, user, start) is gone: delete its row.
        user.tombstones.add(state.minTime());
      }
      for (Granularity g : windows) {
        deltas.merge(usageKey(g, g.start(state.minTime()), event.account()), -1L, Long::sum);
      }
    }
    for (Granularity g : windows) {
      deltas.merge(usageKey(g, g.start(session.minTime()), event.account()), 1L, Long::sum);
    }
    user.tombstones.remove(Long.valueOf(session.minTime()));
    int at = 0;
    while (at < user.sessions.size()
        && user.sessions.get(at).state().minTime() < session.minTime()) {
      at++;
    }
    user.sessions.add(at, new UserSessions.Session(session, true));
    sessions.put(key, sessionsOut.serialize(null, user));
    changedSessions.add(key);
    return deltas;
  }

  private boolean closed(Granularity g, long windowStart) {
    return windowStart + g.millis + grace <= observedStreamTime;
  }

  /** Emits the latest version of every changed row once, then drops closed state. */
  private void emit() {
    observedStreamTime = Math.max(observedStreamTime, context.currentStreamTimeMs());
    for (Bytes key : changedSessions) {
      byte[] stored = sessions.get(key);
      if (stored == null) {
        continue;
      }
      UserSessions user = sessionsIn.deserialize(null, stored);
      String userKey = new String(key.get(), StandardCharsets.UTF_8);
      for (long start : user.tombstones) {
        if (!user.live(start)) {
          String id = AggregateTopology.sessionId(userKey, start);
          forward(
              AggregateRow.session(AggregateTopology.rowKey(json, "session_id", id), null), start);
          metrics.sessionsOut.increment();
        }
      }
      user.tombstones.clear();
      for (int i = 0; i < user.sessions.size(); i++) {
        UserSessions.Session s = user.sessions.get(i);
        if (s.dirty()) {
          SessionState state = s.state();
          String id = AggregateTopology.sessionId(userKey, state.minTime());
          forward(
              AggregateRow.session(
                  AggregateTopology.rowKey(json, "session_id", id),
                  AggregateTopology.sessionRow(json, id, state)),
              state.maxTime());
          metrics.sessionsOut.increment();
          user.sessions.set(i, new UserSessions.Session(state, false));
        }
      }
      sessions.put(key, sessionsOut.serialize(null, user));
    }
    changedSessions.clear();
    for (Bytes key : changedUsage) {
      byte[] stored = usage.get(key);
      if (stored == null) {
        continue;
      }
      UsageState state = usageIn.deserialize(null, stored);
      Granularity g = Granularity.of(key.get()[0]);
      long start = startOf(key);
      String account = accountOf(key);
      forward(
          AggregateRow.usage(
              AggregateTopology.usageKey(json, account, g.label, start),
              AggregateTopology.usageRow(json, account, g.label, start, state)),
          Math.min(observedStreamTime, start + g.millis - 1));
      metrics.usageOut.increment();
      usage.put(key, usageOut.serialize(null, state.emitted()));
    }
    changedUsage.clear();
    expire();
  }

  private void forward(AggregateRow row, long timestamp) {
    context.forward(new Record<>(row.key(), row, Math.max(0, timestamp)));
  }

  /**
   * Drops windows and sessions that no event can change any more (their rows were emitted just
   * before): windows at every emission (a range of keys ordered by window start), sessions when the
   * stream time moved by an inactivity gap since the last pass (a scan of the store).
   */
  private void expire() {
    if (observedStreamTime == Long.MIN_VALUE || observedStreamTime < 0) {
      return;
    }
    for (Granularity g : windows) {
      // Closed: start + length + grace <= stream time.
      long firstOpen = observedStreamTime - grace - g.millis + 1;
      Bytes from = Bytes.wrap(new byte[] {g.code});
      Bytes to = prefix(g, firstOpen);
      deleteRange(usage, from, to);
      deleteRange(users, from, to);
    }
    if (lastSessionExpiry != Long.MIN_VALUE && observedStreamTime - lastSessionExpiry < gap) {
      return;
    }
    lastSessionExpiry = observedStreamTime;
    long closeTime = observedStreamTime - gap - grace;
    List<KeyValue<Bytes, byte[]>> updates = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> all = sessions.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, byte[]> kv = all.next();
        UserSessions user = sessionsIn.deserialize(null, kv.value);
        if (user.sessions.removeIf(s -> !s.dirty() && s.state().maxTime() < closeTime)) {
          updates.add(
              KeyValue.pair(
                  kv.key,
                  user.sessions.isEmpty() && user.tombstones.isEmpty()
                      ? null
                      : sessionsOut.serialize(null, user)));
        }
      }
    }
    for (KeyValue<Bytes, byte[]> update : updates) {
      if (update.value == null) {
        sessions.delete(update.key);
      } else {
        sessions.put(update.key, update.value);
      }
    }
  }

  /** Deletes the keys in [from, to): the range query includes its upper bound. */
  private static void deleteRange(KeyValueStore<Bytes, byte[]> store, Bytes from, Bytes to) {
    List<Bytes> keys = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> range = store.range(from, to)) {
      range.forEachRemaining(
          kv -> {
            if (kv.key.compareTo(to) < 0) {
              keys.add(kv.key);
            }
          });
    }
    for (Bytes key : keys) {
      store.delete(key);
    }
  }

  /** Usage keys: granularity byte, window start (sign-flipped, big-endian), account (UTF-8). */
  static Bytes usageKey(Granularity g, long start, String account) {
    byte[] name = account.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(
        ByteBuffer.allocate(9 + name.length)
            .put(g.code)
            .putLong(start ^ Long.MIN_VALUE)
            .put(name)
            .array());
  }

  private static Bytes prefix(Granularity g, long start) {
    return Bytes.wrap(ByteBuffer.allocate(9).put(g.code).putLong(start ^ Long.MIN_VALUE).array());
  }

  /** A user seen in a window: the window's usage key, a separator, the user (UTF-8). */
  static Bytes seenUserKey(Bytes usageKey, String user) {
    byte[] window = usageKey.get();
    byte[] name = user.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(
        ByteBuffer.allocate(window.length + 4 + name.length)
            .put(window, 0, 9)
            .putInt(window.length - 9)
            .put(window, 9, window.length - 9)
            .put(name)
            .array());
  }

  static long startOf(Bytes usageKey) {
    return ByteBuffer.wrap(usageKey.get(), 1, 8).getLong() ^ Long.MIN_VALUE;
  }

  static String accountOf(Bytes usageKey) {
    byte[] key = usageKey.get();
    return new String(key, 9, key.length - 9, StandardCharsets.UTF_8);
  }
}
