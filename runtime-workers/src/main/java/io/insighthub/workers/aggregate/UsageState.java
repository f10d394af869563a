package io.insighthub.workers.aggregate;

import java.util.TreeMap;

/**
 * Account usage in one hour or day window: events by type, the number of distinct active users (the
 * users themselves are separate store keys, so a read never rebuilds a set), API calls, sessions
 * started in the window, and whether the row changed since it was last emitted. The map belongs to
 * this value: every store read yields a new one.
 */
record UsageState(
    TreeMap<String, Long> eventsByType,
    long activeUsers,
    long apiCalls,
    long sessions,
    boolean dirty) {
  static UsageState empty() {
    return new UsageState(new TreeMap<>(), 0, 0, 0, false);
  }

  /** Counts {@code event}; {@code newUser} when its user is the window's first sight of them. */
  UsageState add(UsageEvent event, String apiCallType, boolean newUser, long sessionsDelta) {
    eventsByType.merge(event.type() == null ? "unknown" : event.type(), 1L, Long::sum);
    return new UsageState(
        eventsByType,
        activeUsers + (newUser ? 1 : 0),
        apiCalls + (apiCallType.equals(event.type()) ? 1 : 0),
        sessions + sessionsDelta,
        true);
  }

  UsageState withSessions(long delta) {
    return new UsageState(eventsByType, activeUsers, apiCalls, sessions + delta, true);
  }

  UsageState emitted() {
    return new UsageState(eventsByType, activeUsers, apiCalls, sessions, false);
  }

  long events() {
    long sum = 0;
    for (long n : eventsByType.values()) {
      sum += n;
    }
    return sum;
  }
}
