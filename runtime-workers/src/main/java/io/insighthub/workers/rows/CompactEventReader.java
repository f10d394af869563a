package io.insighthub.workers.rows;

import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.crds.v1alpha1.PiiField;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fast path of the row checks for the common event: compact JSON (no whitespace, no escape
 * sequences, canonical numbers) that passes every schema check. It scans the bytes once without
 * building a tree, applies the same checks as {@link RowSchema} and the same PII actions as {@link
 * PiiMinimizer}, and writes the minimized event by copying the bytes of untouched fields, so the
 * output is byte for byte what parsing into a tree, minimizing and re-serializing would give
 * (Jackson writes compact JSON, and canonical numbers and unescaped strings read back the same).
 * Anything else (whitespace, escapes, a non-canonical number, invalid UTF-8, deep nesting,
 * duplicate names, a dotted name where drift is checked, a failed check) returns null and the
 * processor takes the tree path, which stays the reference for every verdict; {@code
 * CompactEventReaderTest} checks the two agree.
 *
 * <p>Per event it allocates little beyond what it returns (the id, key and minimized bytes, the
 * drift list when there is drift) and the HMAC's digest: the paths it looks up are resolved once
 * into slots ({@link SchemaNode}), field names are cached, and members, objects and PII
 * replacements live in pools and buffers reused by the next event; {@code ValidateWorkBenchmark}
 * measures it.
 *
 * <p>Not thread-safe: one per stream task.
 */
public final class CompactEventReader {
  /** Below the tree parser's nesting limit ({@link JsonRows#MAX_NESTING_DEPTH}). */
  private static final int MAX_DEPTH = 32;

  private static final int MAX_NAME_BYTES = 1_000;
  private static final int MAX_STRING_BYTES = 1 << 20;
  private static final int MAX_FLOAT_CHARS = 64;

  /** Fits a long whatever the digits: longer integers are left to the tree path. */
  private static final int MAX_INT_DIGITS = 18;

  /**
   * Decimals with at most this many significant digits are the shortest that read back as their
   * double (15 is the precision every double keeps), so Double.toString writes them unchanged.
   */
  private static final int MAX_PLAIN_DIGITS = 15;

  private static final byte[] MASKED = quoted(PiiMinimizer.MASK);
  private static final int HASH_HEX_BYTES = 64;

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long LOW_BITS = 0x0101010101010101L;

  /** Names up to this many ASCII bytes are kept in {@link #names}. */
  private static final int MAX_CACHED_NAME = 64;

  private static final int NAME_CACHE_BITS = 9;

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

  /**
   * A field name as read: ASCII names are cached per reader ({@link #name}), so the same name is
   * the same instance from one event to the next and remembers which schema node it is under its
   * last parent node.
   */
  private static final class Name {
    final String text;
    final byte[] bytes; // cached names only
    final int hash; // see name(): not text.hashCode()
    final long low; // names of up to 16 bytes: their bytes as two little-endian words
    final long high;
    final boolean dotted;
    SchemaNode memoParent;
    SchemaNode memoChild;
    long seenIn; // the serial of the last object checked with this name (checkNames)

    Name(String text, byte[] bytes, int hash, long low, long high) {
      this.text = text;
      this.bytes = bytes;
      this.hash = hash;
      this.low = low;
      this.high = high;
      this.dotted = text.indexOf('.') >= 0;
    }

    /** Whether this cached name is the one at {@code in[from, from + length)}. */
    boolean is(int hash, long low, long high, byte[] in, int from, int length) {
      if (this.hash != hash || bytes.length != length) {
        return false;
      }
      if (length <= 16) {
        return this.low == low && this.high == high;
      }
      for (int i = 0; i < length; i++) {
        if (bytes[i] != in[from + i]) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * A path the reader looks up (a declared field, the event id or time, a PII rule, a key field) or
   * an ancestor of one, computed once: its member in this event is {@link #found}{@code (slot)},
   * and its dotted path's place in the schema is known, so no path string is built per event.
   */
  private static final class SchemaNode {
    final String path;
    final int slot;
    final Map<String, SchemaNode> children = new HashMap<>();
    boolean declaredOrImplicit;
    boolean parent;

    SchemaNode(String path, int slot) {
      this.path = path;
      this.slot = slot;
    }

    SchemaNode child(Name name) {
      if (name.memoParent != this) {
        name.memoChild = children.get(name.text);
        name.memoParent = this;
      }
      return name.memoChild;
    }
  }

  /** One name/value pair; offsets index the input. Pooled: {@link #member} resets every field. */
  private static final class Member {
    final int index; // in the pool
    Name name;
    int start; // the name's opening quote
    int valueStart;
    int valueEnd;
    Kind kind;
    boolean ascii; // strings: no byte above 0x7f
    Obj holder;
    Obj object;
    SchemaNode node;
    Member next;
    boolean dropped;
    int replacementStart; // in replacements, quotes included; -1 when none
    int replacementLength;
    boolean millisKnown;
    long millis;

    Member(int index) {
      this.index = index;
    }
  }

  /** An object's members in order. Pooled: {@link #obj} resets every field. */
  private static final class Obj {
    Obj parent;
    SchemaNode node;
    int start;
    int end;
    Member first;
    Member last;
    int count;
    boolean modified;

    void add(Member m) {
      if (last == null) {
        first = m;
      } else {
        last.next = m;
      }
      last = m;
      count++;
    }

    void markModified() {
      for (Obj o = this; o != null && !o.modified; o = o.parent) {
        o.modified = true;
      }
    }
  }

  /** What the tree path would produce for an accepted event. */
  public record Candidate(
      String eventId,
      long eventTimeMillis,
      List<String> undeclared,
      byte[] key,
      byte[] minimized) {}

  /** A declared field with its node's slot and whether it is required, computed once. */
  private record Declared(EventField field, int slot, boolean required) {}

  /** A PII rule with its field's slot. */
  private record Rule(int slot, PiiField.Action action) {}

  private final PiiMinimizer pii;
  private final boolean enabled;
  private final SchemaNode root;
  private final List<Declared> declared = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private final int[] keySlots;
  private final int idSlot;
  private final int timeSlot;

  // Per event; reused from one event to the next.
  private byte[] in;
  private int pos;
  private final int[] foundAt; // member pool index per slot, valid when foundEvent is event
  private final int[] foundEvent;
  private int event; // counts events, so that the slots need no clearing
  private Member[] members = new Member[64];
  private int membersUsed;
  private Obj[] objects = new Obj[8];
  private int objectsUsed;
  private byte[] replacements = new byte[256];
  private int replacementsLength;
  private List<String> undeclared;
  private byte[] out = new byte[2048];
  private int outLength;
  private final Name[] names = new Name[1 << NAME_CACHE_BITS];
  private int newNames;
  private long objectSerial;
  private final Name elementName = new Name("", null, 0, 0, 0);

  /** For a schema with an event id and time field (an event stream). */
  public CompactEventReader(RowSchema schema, PiiMinimizer pii, List<String[]> keyPaths) {
    if (schema.eventIdPath() == null || schema.eventTimePath() == null) {
      throw new IllegalArgumentException("the compact reader reads events: name their id and time");
    }
    this.pii = pii;
    List<Map.Entry<String[], PiiField.Action>> independent = pii.independentRules();
    this.enabled =
        independent != null
            && keyPathsAvoidPiiParents(independent, keyPaths)
            && schema.namesSplitCleanly();
    List<SchemaNode> nodes = new ArrayList<>();
    this.root = new SchemaNode("", 0);
    nodes.add(root);
    for (Map.Entry<String, EventField> entry : schema.declared().entrySet()) {
      EventField field = entry.getValue();
      SchemaNode node = node(nodes, schema.path(entry.getKey()));
      declared.add(new Declared(field, node.slot, schema.isRequired(field)));
    }
    this.idSlot = node(nodes, schema.eventIdPath()).slot;
    this.timeSlot = node(nodes, schema.eventTimePath()).slot;
    if (independent != null) {
      for (Map.Entry<String[], PiiField.Action> rule : independent) {
        rules.add(new Rule(node(nodes, rule.getKey()).slot, rule.getValue()));
      }
    }
    this.keySlots = keyPaths.stream().mapToInt(path -> node(nodes, path).slot).toArray();
    for (SchemaNode node : nodes) {
      node.declaredOrImplicit = schema.isDeclaredOrImplicit(node.path);
      node.parent = schema.isParent(node.path);
    }
    this.foundAt = new int[nodes.size()];
    this.foundEvent = new int[nodes.size()];
  }

  /** The node of {@code path}, created with its ancestors when new. */
  private SchemaNode node(List<SchemaNode> nodes, String[] path) {
    SchemaNode node = root;
    for (String part : path) {
      SchemaNode parent = node;
      node =
          parent.children.computeIfAbsent(
              part,
              p -> {
                SchemaNode child =
                    new SchemaNode(parent == root ? p : parent.path + "." + p, nodes.size());
                nodes.add(child);
                return child;
              });
    }
    return node;
  }

  /** False when the configuration needs the tree path for every event (interacting PII rules). */
  public boolean enabled() {
    return enabled;
  }

  /** A key read inside a field the PII rules replace or drop would depend on their order. */
  private static boolean keyPathsAvoidPiiParents(
      List<Map.Entry<String[], PiiField.Action>> rules, List<String[]> keyPaths) {
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
  public Candidate read(byte[] value) {
    if (!enabled || value.length < 2 || value[0] != '{') {
      return null;
    }
    in = value;
    pos = 0;
    membersUsed = 0;
    objectsUsed = 0;
    replacementsLength = 0;
    undeclared = null;
    if (++event == 0) {
      Arrays.fill(foundEvent, 0); // wrapped around: no slot may look found
      event = 1;
    }
    try {
      Obj root = object(null, this.root, 0);
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

  // ---- checks, as RowSchema.check does them on a tree ----

  private Candidate evaluate(Obj root) {
    for (Declared entry : declared) {
      Member value = found(entry.slot());
      if (value == null || value.kind == Kind.NULL) {
        if (entry.required()) {
          return null;
        }
        continue;
      }
      if (!fits(entry.field(), value)) {
        return null;
      }
    }
    Member id = found(idSlot);
    if (id == null || (id.kind != Kind.STRING && id.kind != Kind.INT)) {
      return null;
    }
    if (id.valueEnd - id.valueStart == 2) {
      return null; // ""
    }
    String eventId = text(id);
    Member time = found(timeSlot);
    if (time == null) {
      return null;
    }
    long millis = epochMillis(time);
    if (millis == Long.MIN_VALUE) {
      return null;
    }
    if (!collectUndeclared(root)) {
      return null;
    }
    List<String> drift = undeclared == null ? List.of() : undeclared;
    if (!minimize()) {
      return null;
    }
    byte[] key = key();
    // Written straight into an array of the exact size: one copy of the bytes, not two.
    byte[] minimized = new byte[size(root)];
    byte[] scratch = out;
    out = minimized;
    outLength = 0;
    try {
      write(root);
    } finally {
      out = scratch;
    }
    if (outLength != minimized.length) {
      throw new IllegalStateException("minimized event size miscounted");
    }
    return new Candidate(eventId, millis, drift, key, minimized);
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

  /** Computed once per member: a timestamp field that is also the event time is read once. */
  private long epochMillis(Member value) {
    if (!value.millisKnown) {
      value.millis =
          switch (value.kind) {
            case INT -> RowSchema.epochMillis(longValue(value));
            case STRING -> RowSchema.epochMillis(text(value));
            default -> Long.MIN_VALUE;
          };
      value.millisKnown = true;
    }
    return value.millis;
  }

  /**
   * Lists the members of {@code obj} (the root, or a declared parent) outside the schema, as
   * RowSchema does with dotted paths: the scanner left names with a dot to the tree path, so a
   * member's path is declared, implicit or a parent exactly when its node says so.
   */
  private boolean collectUndeclared(Obj obj) {
    for (Member child = obj.first; child != null; child = child.next) {
      SchemaNode node = child.node;
      if (node != null && node.declaredOrImplicit) {
        continue;
      }
      if (node != null && node.parent) {
        if (child.kind == Kind.NULL) {
          continue;
        }
        if (child.kind != Kind.OBJECT || !collectUndeclared(child.object)) {
          return false;
        }
      } else {
        if (undeclared == null) {
          undeclared = new ArrayList<>();
        }
        if (undeclared.size() < RowSchema.MAX_DRIFT_FIELDS) {
          String prefix = obj.node.path;
          undeclared.add(prefix.isEmpty() ? child.name.text : prefix + "." + child.name.text);
        }
      }
    }
    return true;
  }

  // ---- PII and key, as PiiMinimizer.apply and JsonRows.key do them on a tree ----

  private boolean minimize() {
    for (Rule rule : rules) {
      Member value = found(rule.slot());
      if (value == null || value.kind == Kind.NULL) {
        if (value != null && rule.action() == PiiField.Action.DROP) {
          value.dropped = true;
          value.holder.markModified();
        }
        continue;
      }
      switch (rule.action()) {
        case DROP -> value.dropped = true;
        case HASH -> {
          if (value.kind == Kind.OBJECT || value.kind == Kind.ARRAY) {
            return false; // hashed as its JSON text: left to the tree path
          }
          // The hash of the text's UTF-8 bytes: for a string, the bytes between the quotes (the
          // scanner checked they are well-formed UTF-8 without escapes); otherwise the raw text.
          boolean string = value.kind == Kind.STRING;
          int from = string ? value.valueStart + 1 : value.valueStart;
          int to = string ? value.valueEnd - 1 : value.valueEnd;
          int at = reserve(value, HASH_HEX_BYTES + 2);
          replacements[at] = '"';
          pii.hashHex(in, from, to - from, replacements, at + 1);
          replacements[at + HASH_HEX_BYTES + 1] = '"';
        }
        case MASK -> {
          if (value.kind == Kind.STRING) {
            mask(value);
          } else {
            int at = reserve(value, MASKED.length);
            System.arraycopy(MASKED, 0, replacements, at, MASKED.length);
          }
        }
      }
      value.holder.markModified();
    }
    return true;
  }

  /**
   * PiiMinimizer.mask on the string's bytes: '@' and '.' are ASCII, so their byte offsets mark the
   * same places as their char offsets, and the text from the last '@' is copied as bytes.
   */
  private void mask(Member value) {
    int from = value.valueStart + 1;
    int to = value.valueEnd - 1;
    int at = -1;
    for (int i = to - 1; i >= from; i--) {
      if (in[i] == '@') {
        at = i;
        break;
      }
    }
    boolean keepDomain = false;
    if (at > from && at < to - 1) {
      for (int i = at + 1; i < to; i++) {
        if (in[i] == '.') {
          keepDomain = i > at + 1;
          break;
        }
      }
    }
    int mask = PiiMinimizer.MASK.length();
    int length = keepDomain ? mask + to - at + 2 : MASKED.length;
    int start = reserve(value, length);
    if (!keepDomain) {
      System.arraycopy(MASKED, 0, replacements, start, MASKED.length);
      return;
    }
    replacements[start] = '"';
    for (int i = 0; i < mask; i++) {
      replacements[start + 1 + i] = (byte) PiiMinimizer.MASK.charAt(i);
    }
    System.arraycopy(in, at, replacements, start + 1 + mask, to - at);
    replacements[start + length - 1] = '"';
  }

  /** The member at {@code slot}'s path in this event, or null. */
  private Member found(int slot) {
    return foundEvent[slot] == event ? members[foundAt[slot]] : null;
  }

  /** Room for {@code length} bytes of the member's replacement in {@link #replacements}. */
  private int reserve(Member value, int length) {
    if (replacementsLength + length > replacements.length) {
      replacements =
          Arrays.copyOf(
              replacements, Math.max(replacements.length * 2, replacementsLength + length));
    }
    int at = replacementsLength;
    replacementsLength += length;
    value.replacementStart = at;
    value.replacementLength = length;
    return at;
  }

  private byte[] key() {
    if (keySlots.length == 0) {
      return null;
    }
    outLength = 0;
    if (keySlots.length == 1) {
      Member value = found(keySlots[0]);
      if (value == null || value.dropped || value.kind == Kind.NULL) {
        return null;
      }
      appendText(value);
    } else {
      for (int slot : keySlots) {
        if (outLength > 0) {
          append('|'); // as JsonRows.key: no separator while the key is still empty
        }
        Member value = found(slot);
        if (value != null && !value.dropped) {
          appendText(value);
        }
      }
    }
    return Arrays.copyOf(out, outLength);
  }

  /**
   * The UTF-8 bytes of JsonNode.asText of the (minimized) value: a string's bytes between its
   * quotes decode and encode back to themselves, the other scalars are ASCII.
   */
  private void appendText(Member value) {
    if (value.replacementStart >= 0) {
      append(replacements, value.replacementStart + 1, value.replacementLength - 2);
      return;
    }
    switch (value.kind) {
      case STRING -> append(in, value.valueStart + 1, value.valueEnd - value.valueStart - 2);
      case INT, FLOAT, TRUE, FALSE, NULL ->
          append(in, value.valueStart, value.valueEnd - value.valueStart);
      case OBJECT, ARRAY -> {}
    }
  }

  // ---- output ----

  /** The length {@link #write} gives {@code obj}. */
  private static int size(Obj obj) {
    if (!obj.modified) {
      return obj.end - obj.start;
    }
    int size = 2; // {}
    boolean first = true;
    for (Member m = obj.first; m != null; m = m.next) {
      if (m.dropped) {
        continue;
      }
      if (!first) {
        size++; // ,
      }
      first = false;
      if (m.replacementStart >= 0) {
        size += m.valueStart - m.start + m.replacementLength;
      } else if (m.kind == Kind.OBJECT && m.object.modified) {
        size += m.valueStart - m.start + size(m.object);
      } else {
        size += m.valueEnd - m.start;
      }
    }
    return size;
  }

  private void write(Obj obj) {
    if (!obj.modified) {
      append(in, obj.start, obj.end - obj.start);
      return;
    }
    append('{');
    boolean first = true;
    // Untouched members next to each other in the input (only a comma between them) are copied
    // as one run, commas included.
    int runStart = -1;
    int runEnd = -1;
    for (Member m = obj.first; m != null; m = m.next) {
      if (m.dropped) {
        continue;
      }
      boolean untouched = m.replacementStart < 0 && !(m.kind == Kind.OBJECT && m.object.modified);
      if (untouched && runStart >= 0 && m.start == runEnd + 1) {
        runEnd = m.valueEnd;
        continue;
      }
      if (runStart >= 0) {
        append(in, runStart, runEnd - runStart);
        runStart = -1;
      }
      if (!first) {
        append(',');
      }
      first = false;
      if (untouched) {
        runStart = m.start;
        runEnd = m.valueEnd;
      } else if (m.replacementStart >= 0) {
        append(in, m.start, m.valueStart - m.start);
        append(replacements, m.replacementStart, m.replacementLength);
      } else {
        append(in, m.start, m.valueStart - m.start);
        write(m.object);
      }
    }
    if (runStart >= 0) {
      append(in, runStart, runEnd - runStart);
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

  // ---- pools: the members and objects of one event, reused by the next ----

  private Member member(Name name, int start, int valueStart, Obj holder, SchemaNode node) {
    if (membersUsed == members.length) {
      members = Arrays.copyOf(members, members.length * 2);
    }
    Member m = members[membersUsed];
    if (m == null) {
      m = new Member(membersUsed);
      members[membersUsed] = m;
    }
    membersUsed++;
    m.name = name;
    m.start = start;
    m.valueStart = valueStart;
    m.valueEnd = valueStart;
    m.kind = null;
    m.ascii = true;
    m.holder = holder;
    m.object = null;
    m.node = node;
    m.next = null;
    m.dropped = false;
    m.replacementStart = -1;
    m.replacementLength = 0;
    m.millisKnown = false;
    return m;
  }

  private Obj obj(Obj parent, SchemaNode node, int start) {
    if (objectsUsed == objects.length) {
      objects = Arrays.copyOf(objects, objects.length * 2);
    }
    Obj o = objects[objectsUsed];
    if (o == null) {
      o = new Obj();
      objects[objectsUsed] = o;
    }
    objectsUsed++;
    o.parent = parent;
    o.node = node;
    o.start = start;
    o.end = start;
    o.first = null;
    o.last = null;
    o.count = 0;
    o.modified = false;
    return o;
  }

  // ---- scanner: strict compact JSON, anything unusual throws NOT_COMPACT ----

  /**
   * The field name at {@code from}: the same instance for the same ASCII name from one event to the
   * next (a small two-way set-associative cache), so names are not allocated per event and their
   * hash codes and schema nodes are computed once. Counts the names it creates in {@link
   * #newNames}.
   */
  private Name name(int from, int length, boolean ascii) {
    if (!ascii || length > MAX_CACHED_NAME) {
      String text =
          new String(
              in, from, length, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
      newNames++;
      return new Name(text, null, text.hashCode(), 0, 0);
    }
    // Names of up to 16 bytes (most) are two words, hashed and compared as such; longer ones
    // byte by byte. Which way depends only on the name, so a name has one cached instance.
    long low = 0;
    long high = 0;
    int hash = 0;
    if (length <= 16) {
      low = word(from, Math.min(length, 8));
      high = length > 8 ? word(from + 8, length - 8) : 0;
      long mixed = low * 0x9e3779b97f4a7c15L ^ high * 0xc2b2ae3d27d4eb4fL ^ length;
      hash = (int) (mixed ^ (mixed >>> 32));
    } else {
      for (int i = from; i < from + length; i++) {
        hash = 31 * hash + in[i];
      }
    }
    int slot = ((hash * 0x9e3779b9) >>> (32 - NAME_CACHE_BITS)) & ~1;
    Name first = names[slot];
    if (first != null && first.is(hash, low, high, in, from, length)) {
      return first;
    }
    Name second = names[slot + 1];
    if (second != null && second.is(hash, low, high, in, from, length)) {
      return second;
    }
    byte[] bytes = Arrays.copyOfRange(in, from, from + length);
    Name name = new Name(new String(bytes, StandardCharsets.ISO_8859_1), bytes, hash, low, high);
    newNames++;
    names[slot + 1] = first;
    names[slot] = name;
    return name;
  }

  /** The {@code n} (1 to 8) bytes at {@code from} as a little-endian word, zeros above them. */
  private long word(int from, int n) {
    long mask = n == 8 ? -1L : (1L << (n << 3)) - 1;
    if (from + 8 <= in.length) {
      return (long) LONGS.get(in, from) & mask;
    }
    long w = 0;
    for (int i = n - 1; i >= 0; i--) {
      w = (w << 8) | (in[from + i] & 0xff);
    }
    return w;
  }

  /**
   * Throws NOT_COMPACT when two members of {@code obj} have the same name. While no name was
   * created since the object started, each name has one instance (a cache hit returns the only
   * cached instance of its text), so marking each name with the object's serial finds repeats in
   * one pass; otherwise the names are compared.
   */
  private void checkNames(Obj obj, int newNamesAtStart) {
    if (newNames == newNamesAtStart) {
      long serial = ++objectSerial;
      for (Member m = obj.first; m != null; m = m.next) {
        if (m.name.seenIn == serial) {
          throw NOT_COMPACT;
        }
        m.name.seenIn = serial;
      }
    } else if (obj.count <= 16) {
      for (Member m = obj.first; m != null; m = m.next) {
        for (Member other = m.next; other != null; other = other.next) {
          if (m.name.text.equals(other.name.text)) {
            throw NOT_COMPACT;
          }
        }
      }
    } else {
      Set<String> seen = new HashSet<>();
      for (Member m = obj.first; m != null; m = m.next) {
        if (!seen.add(m.name.text)) {
          throw NOT_COMPACT;
        }
      }
    }
  }

  private Obj object(Obj parent, SchemaNode node, int depth) {
    if (depth > MAX_DEPTH) {
      throw NOT_COMPACT;
    }
    Obj obj = obj(parent, node, pos);
    int newNamesAtStart = newNames;
    // Undeclared fields are found by dotted paths in the root and declared parents (as the tree
    // path does): a name with a dot there could spell another field's path, so it is left to it.
    boolean pathsMatter = node == root || (node != null && node.parent);
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
      Name name = name(start + 1, nameBytes, ascii);
      if (pathsMatter && name.dotted) {
        throw NOT_COMPACT;
      }
      pos++; // :
      SchemaNode child = node == null ? null : node.child(name);
      Member m = member(name, start, pos, obj, child);
      value(m, obj, depth);
      m.valueEnd = pos;
      obj.add(m);
      if (child != null) {
        foundEvent[child.slot] = event;
        foundAt[child.slot] = m.index;
      }
      byte c = in[pos++];
      if (c == '}') {
        obj.end = pos;
        checkNames(obj, newNamesAtStart);
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
    // Paths do not go through arrays: elements have no schema node.
    Member element = member(elementName, pos, pos, parent, null);
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
        m.object = object(parent, m.node, depth + 1);
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
    if (fraction && !exponent && isPlainShortest(in, start, pos)) {
      return Kind.FLOAT;
    }
    String text = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
    if (!Double.toString(Double.parseDouble(text)).equals(text)) {
      throw NOT_COMPACT;
    }
    return Kind.FLOAT;
  }

  /**
   * True when the number {@code bytes[from, to)} (sign, digits, '.', digits; no exponent) is what
   * Double.toString writes for its value, decided without parsing: a value from 0.1 up to 10^7
   * (Double.toString writes those without an exponent) with at most 15 significant digits (then no
   * shorter decimal reads back as the same double) and no trailing zero but in "d.0". False only
   * means "not decided here".
   */
  static boolean isPlainShortest(byte[] bytes, int from, int to) {
    int i = bytes[from] == '-' ? from + 1 : from;
    int intStart = i;
    while (i < to && bytes[i] >= '0' && bytes[i] <= '9') {
      i++;
    }
    int intDigits = i - intStart;
    if (intDigits == 0 || i >= to || bytes[i] != '.') {
      return false;
    }
    int fractionStart = i + 1;
    int fractionDigits = to - fractionStart;
    if (fractionDigits < 1) {
      return false;
    }
    for (int k = fractionStart; k < to; k++) {
      if (bytes[k] < '0' || bytes[k] > '9') {
        return false;
      }
    }
    int significant;
    if (bytes[intStart] == '0') {
      // 0.d...: at least 0.1, so no leading zero in the fraction
      if (intDigits != 1 || bytes[fractionStart] == '0') {
        return false;
      }
      significant = fractionDigits;
    } else {
      if (intDigits > 7) {
        return false; // 10^7 and above: Double.toString writes an exponent
      }
      significant = intDigits + fractionDigits;
    }
    if (significant > MAX_PLAIN_DIGITS) {
      return false;
    }
    boolean trailingZero = bytes[to - 1] == '0';
    return !trailingZero || (fractionDigits == 1 && bytes[intStart] != '0');
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
    while (true) {
      // Sixteen or eight bytes at a time (see special), jumping straight to the first byte that
      // needs a look.
      if (pos + 16 <= in.length) {
        long low = special((long) LONGS.get(in, pos));
        long high = special((long) LONGS.get(in, pos + 8));
        if ((low | high) == 0) {
          pos += 16;
          continue;
        }
        pos +=
            low != 0
                ? Long.numberOfTrailingZeros(low) >>> 3
                : 8 + (Long.numberOfTrailingZeros(high) >>> 3);
      } else if (pos + 8 <= in.length) {
        long special = special((long) LONGS.get(in, pos));
        if (special == 0) {
          pos += 8;
          continue;
        }
        pos += Long.numberOfTrailingZeros(special) >>> 3;
      }
      int c = in[pos];
      if (c == '"') {
        pos++;
        if (pos - start > MAX_STRING_BYTES) {
          throw NOT_COMPACT;
        }
        return ascii;
      }
      if (c >= 0x20 && c != '\\') {
        pos++; // only in the last seven bytes of the input
        continue;
      }
      if (c >= 0 || c == '\\') {
        throw NOT_COMPACT; // control character or escape
      }
      ascii = false;
      utf8Sequence(c & 0xff);
    }
  }

  /**
   * The high bit of each byte of {@code w} that is non-ASCII, or that a subtraction brings to zero
   * or below: a quote, a backslash or a control character. Borrows only carry upwards and set high
   * bits only above such a byte or on non-ASCII bytes, so the lowest flagged byte is always one to
   * look at (later flags may be false).
   */
  private static long special(long w) {
    return (w
            | (w - 0x2020202020202020L)
            | ((w ^ 0x2222222222222222L) - LOW_BITS)
            | ((w ^ 0x5c5c5c5c5c5c5c5cL) - LOW_BITS))
        & HIGH_BITS;
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
