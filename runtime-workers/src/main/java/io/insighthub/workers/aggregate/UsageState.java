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
    long changed) {
  static UsageState empty() {
    return new UsageState(new TreeMap<>(), 0, 0, 0, 0);
  }

  /** Counts {@code event}; {@code newUser} when its user is the window's first sight of them. */
  UsageState add(
      UsageEvent event, String apiCallType, boolean newUser, long sessionsDelta, long round) {
    eventsByType.merge(event.type() == null ? "unknown" : event.type(), 1L, Long::sum);
    return new UsageState(
        eventsByType,
        activeUsers + (newUser ? 1 : 0),
        apiCalls + (apiCallType.equals(event.type()) ? 1 : 0),
        sessions + sessionsDelta,
        round);
  }

  UsageState withSessions(long delta, long round) {
    return new UsageState(eventsByType, activeUsers, apiCalls, sessions + delta, round);
  }

  long events() {
    long sum = 0;
    for (long n : eventsByType.values()) {
      sum += n;
    }
    return sum;
  }
}
