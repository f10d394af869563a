package io.insighthub.workers.aggregate;

/** A session being built: its events so far (the window gives start and end). */
record SessionState(
    String account,
    String userKey,
    long events,
    long pageViews,
    String platform,
    long minTime,
    long maxTime) {

  static final SessionState EMPTY =
      new SessionState(null, null, 0, 0, null, Long.MAX_VALUE, Long.MIN_VALUE);

  SessionState add(UsageEvent event, String pageViewType) {
    return new SessionState(
        event.account(),
        event.userKey(),
        events + 1,
        pageViews + (pageViewType.equals(event.type()) ? 1 : 0),
        platform != null ? platform : event.platform(),
        Math.min(minTime, event.time()),
        Math.max(maxTime, event.time()));
  }

  SessionState merge(SessionState other) {
    boolean earlier = other.minTime < minTime;
    return new SessionState(
        account != null ? account : other.account,
        userKey != null ? userKey : other.userKey,
        events + other.events,
        pageViews + other.pageViews,
        earlier && other.platform != null
            ? other.platform
            : platform != null ? platform : other.platform,
        Math.min(minTime, other.minTime),
        Math.max(maxTime, other.maxTime));
  }
}
