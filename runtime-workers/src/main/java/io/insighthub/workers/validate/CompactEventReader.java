package io.insighthub.workers.validate;

import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.crds.v1alpha1.PiiField;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fast path of {@link Validator} for the common event: compact JSON (no whitespace, no escape
 * sequences, canonical numbers) that passes every schema check. It scans the bytes once without
 * building a tree, applies the same checks as {@link EventSchema} and the same PII actions as
 * {@link PiiMinimizer}, and writes the minimized event by copying the bytes of untouched fields, so
 * the output is byte for byte what parsing into a tree, minimizing and re-serializing would give
 * (Jackson writes compact JSON, and canonical numbers and unescaped strings read back the same).
 * Anything else (whitespace, escapes, a non-canonical number, invalid UTF-8, deep nesting,
 * duplicate names, a failed check) returns null and the processor takes the tree path, which stays
 * the reference for every verdict; {@code CompactEventReaderTest} checks the two agree.
 *
 * <p>Not thread-safe: one per stream task.
 */
final class CompactEventReader {
  /** Below the tree parser's nesting limit ({@link Validator#MAX_NESTING_DEPTH}). */
  private static final int MAX_DEPTH = 32;

  private static final int MAX_NAME_BYTES = 1_000;
  private static final int MAX_STRING_BYTES = 1 << 20;
  private static final int MAX_FLOAT_CHARS = 64;

  /** Fits a long whatever the digits: longer integers are left to the tree path. */
  private static final int MAX_INT_DIGITS = 18;

  private static final byte[] MASKED = quoted(PiiMinimizer.MASK);

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long LOW_BITS = 0x0101010101010101L;

  /** Names up to this many ASCII bytes are kept in {@link #names}. */
  private static final int MAX_CACHED_NAME = 64;

  /** Thrown to leave the fast path; preallocated, no stack trace. */
  private static final RuntimeException NOT_COMPACT =
      new RuntimeException("not compact", null, false, false) {};

  private enum Kind {
    STRING,
    INT,
    FLOAT,
    TRUE,
    FALSE,
    NULL,
    OBJECT,
    ARRAY
  }

  /** One name/value pair; offsets index the input. */
  private static final class Member {
    final String name;
    final int start; // the name's opening quote
    final int valueStart;
    int valueEnd;
    Kind kind;
    boolean ascii = true; // strings: no byte above 0x7f
    Obj object;
    byte[] replacement;
    boolean dropped;

    Member(String name, int start, int valueStart) {
      this.name = name;
      this.start = start;
      this.valueStart = valueStart;
    }
  }

  private static final class Obj {
    final Obj parent;
    final int start;
    int end;
    final List<Member> members = new ArrayList<>();
    Set<String> names;
    boolean modified;

    Obj(Obj parent, int start) {
      this.parent = parent;
      this.start = start;
    }

    void add(Member m) {
      if (members.size() < 16) {
        for (Member other : members) {
          if (sameName(other.name, m.name)) {
            throw NOT_COMPACT;
          }
        }
      } else {
        if (names == null) {
          names = new HashSet<>();
          members.forEach(other -> names.add(other.name));
        }
        if (!names.add(m.name)) {
          throw NOT_COMPACT;
        }
      }
      members.add(m);
    }

    Member get(String name) {
      for (Member m : members) {
        if (sameName(m.name, name)) {
          return m;
        }
      }
      return null;
    }

    /** Names are cached per reader, so their (cached) hash codes reject most mismatches. */
    private static boolean sameName(String a, String b) {
      return a == b || (a.hashCode() == b.hashCode() && a.equals(b));
    }

    void markModified() {
      for (Obj o = this; o != null && !o.modified; o = o.parent) {
        o.modified = true;
      }
    }
  }

  /** What the tree path would produce for an accepted event. */
  record Candidate(
      String eventId,
      long eventTimeMillis,
      List<String> undeclared,
      byte[] key,
      byte[] minimized) {}

  private final EventSchema schema;
  private final PiiMinimizer pii;
  private final List<Map.Entry<String[], PiiField.Action>> rules;
  private final List<String[]> keyPaths;
  private final boolean enabled;
  private byte[] in;
  private int pos;
  private byte[] out = new byte[2048];
  private final String[] names = new String[512];
  private final List<Declared> declared;

  /** A declared field with its path split and whether it is required, computed once. */
  private record Declared(EventField field, String[] path, boolean required) {}

  private int outLength;

  CompactEventReader(EventSchema schema, PiiMinimizer pii, List<String[]> keyPaths) {
    this.schema = schema;
    this.pii = pii;
    this.rules = pii.independentRules();
    this.keyPaths = keyPaths;
    this.enabled = rules != null && keyPathsAvoidPiiParents();
    this.declared =
        schema.declared().entrySet().stream()
            .map(
                e ->
                    new Declared(
                        e.getValue(), schema.path(e.getKey()), schema.isRequired(e.getValue())))
            .toList();
  }

  /** False when the configuration needs the tree path for every event (interacting PII rules). */
  boolean enabled() {
    return enabled;
  }

  /** A key read inside a field the PII rules replace or drop would depend on their order. */
  private boolean keyPathsAvoidPiiParents() {
    for (String[] key : keyPaths) {
      for (Map.Entry<String[], PiiField.Action> rule : rules) {
        if (rule.getKey().length < key.length && PiiMinimizer.isPrefix(rule.getKey(), key)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The accepted, minimized event, or null when the tree path must decide. */
  Candidate read(byte[] value) {
    if (!enabled || value.length < 2 || value[0] != '{') {
      return null;
    }
    in = value;
    pos = 0;
    try {
      Obj root = object(null, 0);
      for (int i = pos; i < value.length; i++) {
        byte c = value[i];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
          return null;
        }
      }
      return evaluate(root);
    } catch (ArrayIndexOutOfBoundsException e) {
      return null; // truncated input
    } catch (RuntimeException e) {
      if (e == NOT_COMPACT) {
        return null;
      }
      throw e;
    } finally {
      in = null;
    }
  }

  // ---- checks, as EventSchema.check does them on a tree ----

  private Candidate evaluate(Obj root) {
    for (Declared entry : declared) {
      EventField field = entry.field();
      Member value = resolve(root, entry.path());
      if (value == null || value.kind == Kind.NULL) {
        if (entry.required()) {
          return null;
        }
        continue;
      }
      if (!fits(field, value)) {
        return null;
      }
    }
    Member id = resolve(root, schema.eventIdPath());
    if (id == null || (id.kind != Kind.STRING && id.kind != Kind.INT)) {
      return null;
    }
    String eventId = text(id);
    if (eventId.isEmpty()) {
      return null;
    }
    Member time = resolve(root, schema.eventTimePath());
    if (time == null) {
      return null;
    }
    long millis = epochMillis(time);
    if (millis == Long.MIN_VALUE) {
      return null;
    }
    List<String> undeclared = new ArrayList<>(0);
    if (!collectUndeclared(root.members, "", undeclared)) {
      return null;
    }
    if (!minimize(root)) {
      return null;
    }
    byte[] key = key(root);
    outLength = 0;
    write(root);
    return new Candidate(eventId, millis, undeclared, key, Arrays.copyOf(out, outLength));
  }

  private boolean fits(EventField field, Member value) {
    boolean ok =
        switch (field.type) {
          case STRING -> value.kind == Kind.STRING;
          case INTEGER -> value.kind == Kind.INT;
          case NUMBER -> value.kind == Kind.INT || value.kind == Kind.FLOAT;
          case BOOLEAN -> value.kind == Kind.TRUE || value.kind == Kind.FALSE;
          case OBJECT -> value.kind == Kind.OBJECT;
          case ARRAY -> value.kind == Kind.ARRAY;
          case TIMESTAMP -> value.kind == Kind.STRING || value.kind == Kind.INT;
        };
    if (!ok) {
      return false;
    }
    if (field.type == EventField.Type.TIMESTAMP && epochMillis(value) == Long.MIN_VALUE) {
      return false;
    }
    if (field.maxLength != null && value.kind == Kind.STRING) {
      int bytes = value.valueEnd - value.valueStart - 2;
      if (bytes > field.maxLength) { // fewer bytes than the limit: fewer chars too
        String text = text(value);
        return text.length() <= field.maxLength
            || text.codePointCount(0, text.length()) <= field.maxLength;
      }
    }
    return true;
  }

  private long epochMillis(Member value) {
    return switch (value.kind) {
      case INT -> EventSchema.epochMillis(longValue(value));
      case STRING -> EventSchema.epochMillis(text(value));
      default -> Long.MIN_VALUE;
    };
  }

  private boolean collectUndeclared(List<Member> members, String prefix, List<String> undeclared) {
    for (Member child : members) {
      String path = prefix.isEmpty() ? child.name : prefix + "." + child.name;
      if (schema.isDeclaredOrImplicit(path)) {
        continue;
      }
      if (schema.isParent(path)) {
        if (child.kind == Kind.NULL) {
          continue;
        }
        if (child.kind != Kind.OBJECT
            || !collectUndeclared(child.object.members, path, undeclared)) {
          return false;
        }
      } else if (undeclared.size() < EventSchema.MAX_DRIFT_FIELDS) {
        undeclared.add(path);
      }
    }
    return true;
  }

  private static Member resolve(Obj root, String[] path) {
    Obj node = root;
    Member member = null;
    for (String part : path) {
      if (member != null) {
        if (member.kind != Kind.OBJECT) {
          return null;
        }
        node = member.object;
      }
      member = node.get(part);
      if (member == null) {
        return null;
      }
    }
    return member;
  }

  // ---- PII and key, as PiiMinimizer.apply and Validator.key do them on a tree ----

  private boolean minimize(Obj root) {
    for (Map.Entry<String[], PiiField.Action> rule : rules) {
      String[] path = rule.getKey();
      Obj holder = root;
      if (path.length > 1) {
        Member parent = resolve(root, Arrays.copyOf(path, path.length - 1));
        if (parent == null || parent.kind != Kind.OBJECT) {
          continue;
        }
        holder = parent.object;
      }
      Member value = holder.get(path[path.length - 1]);
      if (value == null || value.kind == Kind.NULL) {
        if (value != null && rule.getValue() == PiiField.Action.DROP) {
          value.dropped = true;
          holder.markModified();
        }
        continue;
      }
      switch (rule.getValue()) {
        case DROP -> value.dropped = true;
        case HASH -> {
          if (value.kind == Kind.OBJECT || value.kind == Kind.ARRAY) {
            return false; // hashed as its JSON text: left to the tree path
          }
          value.replacement =
              quoted(pii.hash(value.kind == Kind.STRING ? text(value) : raw(value)));
        }
        case MASK ->
            value.replacement =
                value.kind == Kind.STRING ? quoted(PiiMinimizer.mask(text(value))) : MASKED;
      }
      holder.markModified();
    }
    return true;
  }

  private byte[] key(Obj root) {
    if (keyPaths.isEmpty()) {
      return null;
    }
    if (keyPaths.size() == 1) {
      Member value = resolve(root, keyPaths.get(0));
      if (value == null || value.dropped || (value.kind == Kind.NULL)) {
        return null;
      }
      return asText(value).getBytes(StandardCharsets.UTF_8);
    }
    StringBuilder key = new StringBuilder();
    for (String[] path : keyPaths) {
      Member value = resolve(root, path);
      key.append(key.isEmpty() ? "" : "|")
          .append(value == null || value.dropped ? "" : asText(value));
    }
    return key.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** JsonNode.asText of the (minimized) value. */
  private String asText(Member value) {
    if (value.replacement != null) {
      return new String(value.replacement, 1, value.replacement.length - 2, StandardCharsets.UTF_8);
    }
    return switch (value.kind) {
      case STRING -> text(value);
      case INT, FLOAT, TRUE, FALSE, NULL -> raw(value);
      case OBJECT, ARRAY -> "";
    };
  }

  // ---- output ----

  private void write(Obj obj) {
    if (!obj.modified) {
      append(in, obj.start, obj.end - obj.start);
      return;
    }
    append('{');
    boolean first = true;
    for (Member m : obj.members) {
      if (m.dropped) {
        continue;
      }
      if (!first) {
        append(',');
      }
      first = false;
      if (m.replacement != null) {
        append(in, m.start, m.valueStart - m.start);
        append(m.replacement, 0, m.replacement.length);
      } else if (m.kind == Kind.OBJECT && m.object.modified) {
        append(in, m.start, m.valueStart - m.start);
        write(m.object);
      } else {
        append(in, m.start, m.valueEnd - m.start);
      }
    }
    append('}');
  }

  private void append(byte[] bytes, int from, int length) {
    ensure(length);
    System.arraycopy(bytes, from, out, outLength, length);
    outLength += length;
  }

  private void append(char c) {
    ensure(1);
    out[outLength++] = (byte) c;
  }

  private void ensure(int more) {
    if (outLength + more > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + more));
    }
  }

  private static byte[] quoted(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    byte[] quoted = new byte[bytes.length + 2];
    quoted[0] = '"';
    System.arraycopy(bytes, 0, quoted, 1, bytes.length);
    quoted[quoted.length - 1] = '"';
    return quoted;
  }

  private String text(Member string) {
    if (string.kind != Kind.STRING) {
      return raw(string);
    }
    int from = string.valueStart + 1;
    int length = string.valueEnd - string.valueStart - 2;
    return new String(
        in, from, length, string.ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
  }

  /** An INT member's value: at most 18 digits (see {@link #number}), so it fits a long. */
  private long longValue(Member value) {
    int i = value.valueStart;
    boolean negative = in[i] == '-';
    if (negative) {
      i++;
    }
    long result = 0;
    for (; i < value.valueEnd; i++) {
      result = result * 10 + (in[i] - '0');
    }
    return negative ? -result : result;
  }

  private String raw(Member value) {
    return new String(
        in, value.valueStart, value.valueEnd - value.valueStart, StandardCharsets.ISO_8859_1);
  }

  // ---- scanner: strict compact JSON, anything unusual throws NOT_COMPACT ----

  /**
   * The field name at {@code from}: the same String instance for the same ASCII name from one event
   * to the next (a small direct-mapped cache), so names are not allocated per event and their hash
   * codes, which the schema lookups use, are computed once.
   */
  private String name(int from, int length, boolean ascii) {
    if (!ascii || length > MAX_CACHED_NAME) {
      return new String(
          in, from, length, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }
    int hash = 0;
    for (int i = from; i < from + length; i++) {
      hash = 31 * hash + in[i];
    }
    int slot = (hash ^ (hash >>> 16)) & (names.length - 1);
    String cached = names[slot];
    if (cached != null && cached.length() == length) {
      boolean same = true;
      for (int i = 0; i < length && same; i++) {
        same = cached.charAt(i) == in[from + i];
      }
      if (same) {
        return cached;
      }
    }
    String name = new String(in, from, length, StandardCharsets.ISO_8859_1);
    names[slot] = name;
    return name;
  }

  private Obj object(Obj parent, int depth) {
    if (depth > MAX_DEPTH) {
      throw NOT_COMPACT;
    }
    Obj obj = new Obj(parent, pos);
    pos++; // {
    if (in[pos] == '}') {
      obj.end = ++pos;
      return obj;
    }
    while (true) {
      if (in[pos] != '"') {
        throw NOT_COMPACT;
      }
      int start = pos;
      boolean ascii = string();
      int nameBytes = pos - start - 2;
      if (nameBytes > MAX_NAME_BYTES || in[pos] != ':') {
        throw NOT_COMPACT;
      }
      String name = name(start + 1, nameBytes, ascii);
      pos++; // :
      Member m = new Member(name, start, pos);
      value(m, obj, depth);
      m.valueEnd = pos;
      obj.add(m);
      byte c = in[pos++];
      if (c == '}') {
        obj.end = pos;
        return obj;
      }
      if (c != ',') {
        throw NOT_COMPACT;
      }
    }
  }

  private void array(Obj parent, int depth) {
    if (depth > MAX_DEPTH) {
      throw NOT_COMPACT;
    }
    pos++; // [
    if (in[pos] == ']') {
      pos++;
      return;
    }
    Member element = new Member("", pos, pos);
    while (true) {
      value(element, parent, depth);
      byte c = in[pos++];
      if (c == ']') {
        return;
      }
      if (c != ',') {
        throw NOT_COMPACT;
      }
    }
  }

  private void value(Member m, Obj parent, int depth) {
    byte c = in[pos];
    switch (c) {
      case '"' -> {
        m.kind = Kind.STRING;
        m.ascii = string();
      }
      case '{' -> {
        m.kind = Kind.OBJECT;
        m.object = object(parent, depth + 1);
      }
      case '[' -> {
        m.kind = Kind.ARRAY;
        array(parent, depth + 1);
      }
      case 't' -> literal("true", m, Kind.TRUE);
      case 'f' -> literal("false", m, Kind.FALSE);
      case 'n' -> literal("null", m, Kind.NULL);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          m.kind = number();
        } else {
          throw NOT_COMPACT;
        }
      }
    }
  }

  private void literal(String word, Member m, Kind kind) {
    for (int i = 0; i < word.length(); i++) {
      if (in[pos + i] != word.charAt(i)) {
        throw NOT_COMPACT;
      }
    }
    pos += word.length();
    m.kind = kind;
  }

  /** Scans an integer or a float whose text is what Jackson would write for its value. */
  private Kind number() {
    int start = pos;
    if (in[pos] == '-') {
      pos++;
    }
    int digitsStart = pos;
    if (in[pos] == '0') {
      pos++;
    } else if (in[pos] >= '1' && in[pos] <= '9') {
      while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
        pos++;
      }
    } else {
      throw NOT_COMPACT;
    }
    int digits = pos - digitsStart;
    boolean fraction = pos < in.length && in[pos] == '.';
    boolean exponent = false;
    if (fraction) {
      pos++;
      requireDigits();
    }
    if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
      exponent = true;
      pos++;
      if (in[pos] == '+' || in[pos] == '-') {
        pos++;
      }
      requireDigits();
    }
    if (!fraction && !exponent) {
      if (digits > MAX_INT_DIGITS || (in[start] == '-' && in[digitsStart] == '0')) {
        throw NOT_COMPACT; // long or -0: the tree path writes those differently
      }
      return Kind.INT;
    }
    if (pos - start > MAX_FLOAT_CHARS) {
      throw NOT_COMPACT;
    }
    String text = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
    if (!Double.toString(Double.parseDouble(text)).equals(text)) {
      throw NOT_COMPACT;
    }
    return Kind.FLOAT;
  }

  private void requireDigits() {
    int start = pos;
    while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
    if (pos == start) {
      throw NOT_COMPACT;
    }
  }

  /**
   * Scans a string without escapes or control characters, in well-formed UTF-8 (RFC 3629: no
   * overlong forms, no surrogates); leaves pos after the closing quote. True when all ASCII.
   */
  private boolean string() {
    int start = pos;
    pos++; // "
    boolean ascii = true;
    // Eight bytes at a time while none is a quote, a backslash, a control character or non-ASCII
    // (each test may also fire for a byte after a match, never miss one): the byte loop below
    // decides at the first word that has any of them.
    while (pos + 8 <= in.length) {
      long w = (long) LONGS.get(in, pos);
      long quote = w ^ 0x2222222222222222L;
      long backslash = w ^ 0x5c5c5c5c5c5c5c5cL;
      long special =
          (w & HIGH_BITS)
              | ((w - 0x2020202020202020L) & ~w & HIGH_BITS)
              | ((quote - LOW_BITS) & ~quote & HIGH_BITS)
              | ((backslash - LOW_BITS) & ~backslash & HIGH_BITS);
      if (special != 0) {
        break;
      }
      pos += 8;
    }
    while (true) {
      int c = in[pos];
      if (c == '"') {
        pos++;
        if (pos - start > MAX_STRING_BYTES) {
          throw NOT_COMPACT;
        }
        return ascii;
      }
      if (c >= 0x20 && c != '\\') {
        pos++;
        continue;
      }
      if (c >= 0 || c == '\\') {
        throw NOT_COMPACT; // control character or escape
      }
      ascii = false;
      utf8Sequence(c & 0xff);
    }
  }

  private void utf8Sequence(int lead) {
    int length;
    int secondMin = 0x80;
    int secondMax = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) {
        secondMin = 0xa0;
      } else if (lead == 0xed) {
        secondMax = 0x9f;
      }
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) {
        secondMin = 0x90;
      } else if (lead == 0xf4) {
        secondMax = 0x8f;
      }
    } else {
      throw NOT_COMPACT;
    }
    int second = in[pos + 1] & 0xff;
    if (second < secondMin || second > secondMax) {
      throw NOT_COMPACT;
    }
    for (int i = 2; i < length; i++) {
      int next = in[pos + i] & 0xff;
      if (next < 0x80 || next > 0xbf) {
        throw NOT_COMPACT;
      }
    }
    pos += length;
  }
}
