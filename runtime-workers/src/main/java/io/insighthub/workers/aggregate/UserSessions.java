package io.insighthub.workers.aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * The open sessions of one account and user (or device), ordered by start, with what is still to be
 * emitted: each session and each tombstone (the start, so the id, of a session merged away) carries
 * the emission round it was changed in, pending while that round is not emitted. It also holds the
 * open usage windows the user is already counted in as an active user (window start, plus 1 for a
 * day window), so distinct users need no set per window: the input is keyed by account, so one task
 * sees all of a user's events of that account.
 */
final class UserSessions {
  /** One session and the emission round of its last change. */
  record Session(SessionState state, long changed) {}

  /** A merged-away session's start and the emission round that must delete its row. */
  record Tombstone(long start, long changed) {}

  final List<Session> sessions;
  final List<Tombstone> tombstones;
  final List<Long> counted;

  UserSessions(List<Session> sessions, List<Tombstone> tombstones, List<Long> counted) {
    this.sessions = sessions;
    this.tombstones = tombstones;
    this.counted = counted;
  }

  static UserSessions empty() {
    return new UserSessions(new ArrayList<>(2), new ArrayList<>(0), new ArrayList<>(4));
  }

  /** Something changed after round {@code emitted}, the last one emitted. */
  boolean pending(long emitted) {
    for (Tombstone t : tombstones) {
      if (t.changed() > emitted) {
        return true;
      }
    }
    for (Session s : sessions) {
      if (s.changed() > emitted) {
        return true;
      }
    }
    return false;
  }

  /** Nothing left to keep: no open session, no pending tombstone, no open window counted. */
  boolean isEmpty() {
    return sessions.isEmpty() && tombstones.isEmpty() && counted.isEmpty();
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
