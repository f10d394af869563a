package io.insighthub.workers.aggregate;

import java.util.TreeMap;
import java.util.TreeSet;

/** Account usage in one hour or day window: events by type, active users, API calls. */
record UsageState(TreeMap<String, Long> eventsByType, TreeSet<String> users, long apiCalls) {
  static UsageState empty() {
    return new UsageState(new TreeMap<>(), new TreeSet<>(), 0);
  }

  UsageState add(UsageEvent event, String apiCallType) {
    TreeMap<String, Long> types = new TreeMap<>(eventsByType);
    types.merge(event.type() == null ? "unknown" : event.type(), 1L, Long::sum);
    TreeSet<String> active = users;
    if (event.user() != null && !users.contains(event.user())) {
      active = new TreeSet<>(users);
      active.add(event.user());
    }
    return new UsageState(types, active, apiCalls + (apiCallType.equals(event.type()) ? 1 : 0));
  }

  long events() {
    return eventsByType.values().stream().mapToLong(Long::longValue).sum();
  }
}
