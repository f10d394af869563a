package io.insighthub.workers.aggregate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Compact binary serdes for the stage's internal records (the repartition topic, the state stores
 * and their changelogs); the output rows stay JSON. Every value starts with a format byte, so a
 * value written in another format (an older build's state) fails loudly instead of being misread.
 * Strings are a length (-1 for null) and UTF-8 bytes; numbers are big-endian.
 */
final class BinarySerde {
  /** 2: one processor's stores (sessions per user, usage with a count of distinct users). */
  private static final byte FORMAT = 2;

  private BinarySerde() {}

  static Serde<UsageEvent> usageEvent() {
    return of(
        (e, out) -> {
          out.writeLong(e.time());
          out.writeString(e.account());
          out.writeString(e.user());
          out.writeString(e.userKey());
          out.writeString(e.type());
          out.writeString(e.platform());
        },
        in ->
            new UsageEvent(
                in.getLong(),
                readString(in),
                readString(in),
                readString(in),
                readString(in),
                readString(in)));
  }

  static Serde<SessionState> sessionState() {
    return of(BinarySerde::writeSession, BinarySerde::readSession);
  }

  static Serde<UserSessions> userSessions() {
    return of(
        (u, out) -> {
          out.writeInt(u.sessions.size());
          for (UserSessions.Session s : u.sessions) {
            out.writeLong(s.changed());
            writeSession(s.state(), out);
          }
          out.writeInt(u.tombstones.size());
          for (UserSessions.Tombstone t : u.tombstones) {
            out.writeLong(t.start());
            out.writeLong(t.changed());
          }
          out.writeInt(u.counted.size());
          for (long window : u.counted) {
            out.writeLong(window);
          }
        },
        in -> {
          int n = in.getInt();
          List<UserSessions.Session> sessions = new ArrayList<>(n + 1);
          for (; n > 0; n--) {
            long changed = in.getLong();
            sessions.add(new UserSessions.Session(readSession(in), changed));
          }
          int m = in.getInt();
          List<UserSessions.Tombstone> tombstones = new ArrayList<>(m);
          for (; m > 0; m--) {
            tombstones.add(new UserSessions.Tombstone(in.getLong(), in.getLong()));
          }
          int c = in.getInt();
          List<Long> counted = new ArrayList<>(c + 2);
          for (; c > 0; c--) {
            counted.add(in.getLong());
          }
          return new UserSessions(sessions, tombstones, counted);
        });
  }

  static Serde<UsageState> usageState() {
    return of(
        (u, out) -> {
          out.writeLong(u.changed());
          out.writeInt(u.eventsByType().size());
          for (Map.Entry<String, Long> type : u.eventsByType().entrySet()) {
            out.writeString(type.getKey());
            out.writeLong(type.getValue());
          }
          out.writeLong(u.activeUsers());
          out.writeLong(u.apiCalls());
          out.writeLong(u.sessions());
        },
        in -> {
          long changed = in.getLong();
          TreeMap<String, Long> types = new TreeMap<>();
          for (int n = in.getInt(); n > 0; n--) {
            types.put(readString(in), in.getLong());
          }
          return new UsageState(types, in.getLong(), in.getLong(), in.getLong(), changed);
        });
  }

  private static void writeSession(SessionState s, Writer out) {
    out.writeString(s.account());
    out.writeString(s.userKey());
    out.writeLong(s.events());
    out.writeLong(s.pageViews());
    out.writeString(s.platform());
    out.writeLong(s.minTime());
    out.writeLong(s.maxTime());
  }

  private static SessionState readSession(ByteBuffer in) {
    return new SessionState(
        readString(in),
        readString(in),
        in.getLong(),
        in.getLong(),
        readString(in),
        in.getLong(),
        in.getLong());
  }

  private static <T> Serde<T> of(BiConsumer<T, Writer> write, Function<ByteBuffer, T> read) {
    return Serdes.serdeFrom(
        (topic, value) -> {
          if (value == null) {
            return null;
          }
          Writer out = new Writer();
          out.writeByte(FORMAT);
          write.accept(value, out);
          return out.toByteArray();
        },
        (topic, data) -> {
          if (data == null) {
            return null;
          }
          ByteBuffer in = ByteBuffer.wrap(data);
          if (data.length == 0 || in.get() != FORMAT) {
            throw new IllegalStateException(
                "aggregate state in an unknown format (topic "
                    + topic
                    + "); reset the aggregate application's internal topics after an upgrade");
          }
          return read.apply(in);
        });
  }

  private static String readString(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0) {
      return null;
    }
    String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return value;
  }

  /** A growable big-endian byte buffer (no stream, no checked exceptions). */
  private static final class Writer {
    private byte[] bytes = new byte[64];
    private int size;

    private void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    void writeByte(int value) {
      ensure(1);
      bytes[size++] = (byte) value;
    }

    void writeInt(int value) {
      ensure(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        bytes[size++] = (byte) (value >>> shift);
      }
    }

    void writeLong(long value) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes[size++] = (byte) (value >>> shift);
      }
    }

    void writeString(String value) {
      if (value == null) {
        writeInt(-1);
        return;
      }
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      writeInt(utf8.length);
      ensure(utf8.length);
      System.arraycopy(utf8, 0, bytes, size, utf8.length);
      size += utf8.length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }
  }
}
