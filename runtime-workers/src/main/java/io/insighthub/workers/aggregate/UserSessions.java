package io.insighthub.workers.aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * The open sessions of one account and user (or device), ordered by start, with what is still to be
 * emitted: the sessions changed since the last emission and the starts (so the ids) of sessions
 * merged away, whose rows must be deleted with a tombstone.
 */
final class UserSessions {
  /** One session and whether it changed since its row was last emitted. */
  record Session(SessionState state, boolean dirty) {}

  final List<Session> sessions;
  final List<Long> tombstones;
  final List<Long> counted;

  UserSessions(List<Session> sessions, List<Long> tombstones, List<Long> counted) {
    this.sessions = sessions;
    this.tombstones = tombstones;
    this.counted = counted;
  }

  static UserSessions empty() {
    return new UserSessions(new ArrayList<>(2), new ArrayList<>(0), new ArrayList<>(4));
  }

  /** Nothing left to keep: no open session, nothing to emit, no open window counted. */
  boolean isEmpty() {
    return sessions.isEmpty() && tombstones.isEmpty() && counted.isEmpty();
  }

  /** Something is waiting to be emitted. */
  boolean pending() {
    if (!tombstones.isEmpty()) {
      return true;
    }
    for (Session s : sessions) {
      if (s.dirty()) {
        return true;
      }
    }
    return false;
  }

  /** Whether a live session starts at {@code start}: its id is in use, not to be deleted. */
  boolean live(long start) {
    for (Session s : sessions) {
      if (s.state().minTime() == start) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof UserSessions u
        && sessions.equals(u.sessions)
        && tombstones.equals(u.tombstones)
        && counted.equals(u.counted);
  }

  @Override
  public int hashCode() {
    return (sessions.hashCode() * 31 + tombstones.hashCode()) * 31 + counted.hashCode();
  }

  @Override
  public String toString() {
    return "UserSessions" + sessions + tombstones + counted;
  }
}
