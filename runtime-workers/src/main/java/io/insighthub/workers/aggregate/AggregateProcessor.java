package io.insighthub.workers.aggregate;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * Sessions and account usage of the accounts of one task (its input is keyed by account), in two
 * cached, changelogged stores: per account and user, the open sessions and the windows the user is
 * counted in; per account and window, the usage and the sessions started in it. Rows are not
 * emitted per event: every emit interval (wall clock) is a numbered round; a changed value records
 * the round it changed in, and at the end of the round the latest version of each changed row is
 * emitted once and the round number stored as emitted, in the same transaction (one write per
 * round, not per row). A crash between a change and its emission restores a value whose round is
 * not emitted, so the row is emitted after the restore. Sessions and windows closed for longer than
 * the grace are dropped.
 */
final class AggregateProcessor implements Processor<String, UsageEvent, String, AggregateRow> {
  static final String SESSIONS_STORE = "aggregate-sessions";
  static final String USAGE_STORE = "aggregate-usage";

  /** In the usage store (whose window keys start with h or d): the last emitted round. */
  private static final Bytes EMITTED_KEY = Bytes.wrap(new byte[] {'m'});

  /**
   * Decoded values kept beside the stores (which hold bytes) so a read does not deserialize; every
   * write goes to both, and they are dropped when the task is initialized again.
   */
  private static final int CACHED_USERS = 50_000;

  private static final int CACHED_WINDOWS = 20_000;

  private final AggregateMetrics metrics;
  private final ObjectMapper json;
  private final Duration emitInterval;
  private final List<Granularity> windows;
  private final long gap;
  private final long grace;
  private final String pageView;
  private final String apiCall;
  private final Serializer<UserSessions> userOut = BinarySerde.userSessions().serializer();
  private final Deserializer<UserSessions> userIn = BinarySerde.userSessions().deserializer();
  private final Serializer<UsageState> usageOut = BinarySerde.usageState().serializer();
  private final Deserializer<UsageState> usageIn = BinarySerde.usageState().deserializer();
  private final MessageDigest sha256;

  private ProcessorContext<String, AggregateRow> context;
  private KeyValueStore<Bytes, byte[]> sessions;
  private KeyValueStore<Bytes, byte[]> usage;
  private final Map<Bytes, UserSessions> userCache = lru(CACHED_USERS);
  private final Map<Bytes, UsageState> usageCache = lru(CACHED_WINDOWS);
  // The keys changed in the current round, kept in memory so an emission does not scan them.
  private final Set<Bytes> changedSessions = new LinkedHashSet<>();
  private final Set<Bytes> changedUsage = new LinkedHashSet<>();
  private long emitted;
  private long round;
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

    /** A window in {@link UserSessions#counted}: its start, plus 1 for a day (starts are even). */
    long counted(long start) {
      return this == DAY ? start + 1 : start;
    }

    static Granularity of(byte code) {
      return code == HOUR.code ? HOUR : DAY;
    }

    static Granularity ofCounted(long counted) {
      return (counted & 1) == 1 ? DAY : HOUR;
    }
  }

  AggregateProcessor(
      AggregateSettings settings,
      AggregateMetrics metrics,
      ObjectMapper json,
      List<Granularity> windows,
      Duration emitInterval) {
    this.metrics = metrics;
    this.json = json;
    this.windows = windows;
    this.emitInterval = emitInterval;
    this.gap = settings.inactivityGap().toMillis();
    this.grace = settings.grace().toMillis();
    this.pageView = settings.sessionize().pageViewType;
    this.apiCall = settings.usage().apiCallType;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void init(ProcessorContext<String, AggregateRow> context) {
    this.context = context;
    sessions = context.getStateStore(SESSIONS_STORE);
    usage = context.getStateStore(USAGE_STORE);
    userCache.clear();
    usageCache.clear();
    changedSessions.clear();
    changedUsage.clear();
    byte[] last = usage.get(EMITTED_KEY);
    emitted = last == null ? 0 : ByteBuffer.wrap(last).getLong();
    round = emitted + 1;
    // After a restore, values changed in a round not emitted before the crash are still pending.
    try (KeyValueIterator<Bytes, byte[]> all = sessions.all()) {
      all.forEachRemaining(
          kv -> {
            if (userIn.deserialize(SESSIONS_STORE, kv.value).pending(emitted)) {
              changedSessions.add(kv.key);
            }
          });
    }
    try (KeyValueIterator<Bytes, byte[]> all = usage.all()) {
      all.forEachRemaining(
          kv -> {
            if (!kv.key.equals(EMITTED_KEY)
                && usageIn.deserialize(USAGE_STORE, kv.value).changed() > emitted) {
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

    Bytes userKey = null;
    UserSessions user = null;
    boolean userChanged = false;
    // Sessions started per window, by usage key: -1 where a merged-away session started, +1
    // where the new or grown session starts (a session that only grows at its end nets 0).
    Map<Bytes, Long> startDeltas = null;
    if (event.userKey() != null) {
      userKey =
          Bytes.wrap((event.account() + "|" + event.userKey()).getBytes(StandardCharsets.UTF_8));
      user = readUser(userKey);
      if (user == null) {
        user = UserSessions.empty();
      }
      startDeltas = session(user, event);
      if (startDeltas == null) {
        late = true;
      } else {
        userChanged = true;
        changedSessions.add(userKey);
      }
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
      // A user id implies a user key, so the user's value holds the windows it is counted in.
      if (event.user() != null && !user.counted.contains(g.counted(start))) {
        user.counted.add(g.counted(start));
        newUser = true;
        userChanged = true;
      }
      UsageState state = readUsage(key);
      if (state == null) {
        state = UsageState.empty();
      }
      writeUsage(
          key, state.add(event, apiCall, newUser, delta == null ? 0 : delta.longValue(), round));
      changedUsage.add(key);
    }
    if (startDeltas != null) {
      startDeltas.forEach(
          (key, delta) -> {
            UsageState state = delta == 0 ? null : readUsage(key);
            // A window already closed (or never counted) keeps its final count.
            if (state != null && !closed(Granularity.of(key.get()[0]), startOf(key))) {
              writeUsage(key, state.withSessions(delta, round));
              changedUsage.add(key);
            }
          });
    }
    if (userChanged) {
      user.counted.removeIf(w -> closed(Granularity.ofCounted(w), w & ~1L));
      user.tombstones.removeIf(t -> t.changed() <= emitted);
      writeUser(userKey, user);
    }
    if (late) {
      metrics.late.increment();
    }
  }

  /**
   * Adds the event to its user's sessions, merging those it bridges (within the inactivity gap on
   * either side), as Kafka Streams' session windows do. Returns the session-start changes per usage
   * key, or null (and changes nothing) when the resulting session is closed: the event is late.
   */
  private Map<Bytes, Long> session(UserSessions user, UsageEvent event) {
    long time = event.time();
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
        user.tombstones.add(new UserSessions.Tombstone(state.minTime(), round));
      }
      for (Granularity g : windows) {
        deltas.merge(usageKey(g, g.start(state.minTime()), event.account()), -1L, Long::sum);
      }
    }
    for (Granularity g : windows) {
      deltas.merge(usageKey(g, g.start(session.minTime()), event.account()), 1L, Long::sum);
    }
    long start = session.minTime();
    user.tombstones.removeIf(t -> t.start() == start);
    int at = 0;
    while (at < user.sessions.size()
        && user.sessions.get(at).state().minTime() < session.minTime()) {
      at++;
    }
    user.sessions.add(at, new UserSessions.Session(session, round));
    return deltas;
  }

  private boolean closed(Granularity g, long windowStart) {
    return windowStart + g.millis + grace <= observedStreamTime;
  }

  /**
   * Ends the round: emits the latest version of every row changed in it once and stores the round
   * as emitted (the values are not rewritten), then drops closed state.
   */
  private void emit() {
    observedStreamTime = Math.max(observedStreamTime, context.currentStreamTimeMs());
    if (!changedSessions.isEmpty() || !changedUsage.isEmpty()) {
      emitSessions();
      emitUsage();
      emitted = round++;
      usage.put(EMITTED_KEY, ByteBuffer.allocate(8).putLong(emitted).array());
    }
    expire();
  }

  private void emitSessions() {
    for (Bytes key : changedSessions) {
      UserSessions user = readUser(key);
      if (user == null) {
        continue;
      }
      String userKey = new String(key.get(), StandardCharsets.UTF_8);
      for (UserSessions.Tombstone t : user.tombstones) {
        if (t.changed() > emitted && !user.live(t.start())) {
          String id = AggregateTopology.sessionId(sha256, userKey, t.start());
          forward(AggregateRow.session(AggregateTopology.sessionKey(id), null), t.start());
          metrics.sessionsOut.increment();
        }
      }
      for (UserSessions.Session s : user.sessions) {
        if (s.changed() > emitted) {
          SessionState state = s.state();
          String id = AggregateTopology.sessionId(sha256, userKey, state.minTime());
          forward(
              AggregateRow.session(
                  AggregateTopology.sessionKey(id), AggregateTopology.sessionRow(json, id, state)),
              state.maxTime());
          metrics.sessionsOut.increment();
        }
      }
    }
    changedSessions.clear();
  }

  private void emitUsage() {
    for (Bytes key : changedUsage) {
      UsageState state = readUsage(key);
      if (state == null || state.changed() <= emitted) {
        continue;
      }
      Granularity g = Granularity.of(key.get()[0]);
      long start = startOf(key);
      String account = accountOf(key);
      forward(
          AggregateRow.usage(
              AggregateTopology.usageKey(json, account, g.label, start),
              AggregateTopology.usageRow(json, account, g.label, start, state)),
          Math.min(observedStreamTime, start + g.millis - 1));
      metrics.usageOut.increment();
    }
    changedUsage.clear();
  }

  private void forward(AggregateRow row, long timestamp) {
    context.forward(new Record<>(row.key(), row, Math.max(0, timestamp)));
  }

  /**
   * Drops windows and sessions that no event can change any more (their rows were emitted just
   * before): windows at every emission (a range of keys ordered by window start), sessions and
   * counted windows when the stream time moved by an inactivity gap since the last pass (a scan).
   */
  private void expire() {
    if (observedStreamTime < 0) {
      return;
    }
    for (Granularity g : windows) {
      // Closed: start + length + grace <= stream time.
      long firstOpen = observedStreamTime - grace - g.millis + 1;
      List<Bytes> closed = new ArrayList<>();
      Bytes to = prefix(g, firstOpen);
      try (KeyValueIterator<Bytes, byte[]> range = usage.range(prefix(g, Long.MIN_VALUE), to)) {
        range.forEachRemaining(
            kv -> {
              if (kv.key.compareTo(to) < 0) {
                closed.add(kv.key);
              }
            });
      }
      for (Bytes key : closed) {
        usage.delete(key);
        usageCache.remove(key);
      }
    }
    if (lastSessionExpiry != Long.MIN_VALUE && observedStreamTime - lastSessionExpiry < gap) {
      return;
    }
    lastSessionExpiry = observedStreamTime;
    // A closed session (end + gap + grace behind the stream time) is kept one more gap: an event
    // within the gap after its end is not late and still extends it, as in Kafka Streams.
    long closeTime = observedStreamTime - 2 * gap - grace;
    List<KeyValue<Bytes, UserSessions>> updates = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> all = sessions.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, byte[]> kv = all.next();
        UserSessions user = userIn.deserialize(SESSIONS_STORE, kv.value);
        boolean sessionsClosed =
            user.sessions.removeIf(s -> s.changed() <= emitted && s.state().maxTime() < closeTime);
        boolean tombstonesEmitted = user.tombstones.removeIf(t -> t.changed() <= emitted);
        boolean windowsClosed =
            user.counted.removeIf(w -> closed(Granularity.ofCounted(w), w & ~1L));
        if (sessionsClosed || tombstonesEmitted || windowsClosed) {
          updates.add(KeyValue.pair(kv.key, user));
        }
      }
    }
    for (KeyValue<Bytes, UserSessions> update : updates) {
      if (update.value.isEmpty()) {
        sessions.delete(update.key);
        userCache.remove(update.key);
      } else {
        writeUser(update.key, update.value);
      }
    }
  }

  private UserSessions readUser(Bytes key) {
    UserSessions user = userCache.get(key);
    if (user == null) {
      byte[] stored = sessions.get(key);
      if (stored != null) {
        user = userIn.deserialize(SESSIONS_STORE, stored);
        userCache.put(key, user);
      }
    }
    return user;
  }

  private void writeUser(Bytes key, UserSessions user) {
    sessions.put(key, userOut.serialize(SESSIONS_STORE, user));
    userCache.put(key, user);
  }

  private UsageState readUsage(Bytes key) {
    UsageState state = usageCache.get(key);
    if (state == null) {
      byte[] stored = usage.get(key);
      if (stored != null) {
        state = usageIn.deserialize(USAGE_STORE, stored);
        usageCache.put(key, state);
      }
    }
    return state;
  }

  private void writeUsage(Bytes key, UsageState state) {
    usage.put(key, usageOut.serialize(USAGE_STORE, state));
    usageCache.put(key, state);
  }

  private static <V> Map<Bytes, V> lru(int capacity) {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Bytes, V> eldest) {
        return size() > capacity;
      }
    };
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

  static long startOf(Bytes usageKey) {
    return ByteBuffer.wrap(usageKey.get(), 1, 8).getLong() ^ Long.MIN_VALUE;
  }

  static String accountOf(Bytes usageKey) {
    byte[] key = usageKey.get();
    return new String(key, 9, key.length - 9, StandardCharsets.UTF_8);
  }
}
