package io.insighthub.workers.aggregate;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Compact binary serdes for the stage's internal records (repartition topics, state stores and
 * their changelogs); the output rows stay JSON. Every value starts with a format byte, so a value
 * written in another format fails loudly instead of being misread. Strings are a length (-1 for
 * null) and UTF-8 bytes.
 */
final class BinarySerde {
  private static final byte FORMAT = 1;

  private BinarySerde() {}

  static Serde<UsageEvent> usageEvent() {
    return of(
        (e, out) -> {
          writeLong(out, e.time());
          writeString(out, e.account());
          writeString(out, e.user());
          writeString(out, e.userKey());
          writeString(out, e.type());
          writeString(out, e.platform());
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
    return of(
        (s, out) -> {
          writeString(out, s.account());
          writeString(out, s.userKey());
          writeLong(out, s.events());
          writeLong(out, s.pageViews());
          writeString(out, s.platform());
          writeLong(out, s.minTime());
          writeLong(out, s.maxTime());
        },
        in ->
            new SessionState(
                readString(in),
                readString(in),
                in.getLong(),
                in.getLong(),
                readString(in),
                in.getLong(),
                in.getLong()));
  }

  static Serde<AggregateTopology.SessionStart> sessionStart() {
    return of(
        (s, out) -> {
          writeString(out, s.account());
          writeLong(out, s.time());
        },
        in -> new AggregateTopology.SessionStart(readString(in), in.getLong()));
  }

  static Serde<UsageState> usageState() {
    return of(
        (u, out) -> {
          writeInt(out, u.eventsByType().size());
          for (Map.Entry<String, Long> type : u.eventsByType().entrySet()) {
            writeString(out, type.getKey());
            writeLong(out, type.getValue());
          }
          writeInt(out, u.users().size());
          for (String user : u.users()) {
            writeString(out, user);
          }
          writeLong(out, u.apiCalls());
        },
        in -> {
          TreeMap<String, Long> types = new TreeMap<>();
          for (int n = in.getInt(); n > 0; n--) {
            types.put(readString(in), in.getLong());
          }
          TreeSet<String> users = new TreeSet<>();
          for (int n = in.getInt(); n > 0; n--) {
            users.add(readString(in));
          }
          return new UsageState(types, users, in.getLong());
        });
  }

  private static <T> Serde<T> of(
      BiConsumer<T, DataOutputStream> write, Function<ByteBuffer, T> read) {
    return Serdes.serdeFrom(
        (topic, value) -> {
          if (value == null) {
            return null;
          }
          ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
          DataOutputStream out = new DataOutputStream(bytes);
          try {
            out.writeByte(FORMAT);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          write.accept(value, out);
          return bytes.toByteArray();
        },
        (topic, data) -> {
          if (data == null) {
            return null;
          }
          ByteBuffer in = ByteBuffer.wrap(data);
          if (data.length == 0 || in.get() != FORMAT) {
            throw new IllegalStateException(
                "aggregate state in an unknown format (topic " + topic + ")");
          }
          return read.apply(in);
        });
  }

  private static void writeLong(DataOutputStream out, long value) {
    try {
      out.writeLong(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeInt(DataOutputStream out, int value) {
    try {
      out.writeInt(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeString(DataOutputStream out, String value) {
    try {
      if (value == null) {
        out.writeInt(-1);
        return;
      }
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      out.writeInt(bytes.length);
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
}
