package io.insighthub.workers.rows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insighthub.crds.v1alpha1.EventsSource;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.workers.validate.FuzzEvents;
import io.insighthub.workers.validate.TestSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compact fast path must agree with the tree path (parse, {@link RowSchema#check}, {@link
 * PiiMinimizer#apply}, key, re-serialize) on every event it accepts: same id, time, drift fields,
 * key and output bytes; everything else it must leave to the tree path.
 */
class CompactEventReaderTest {
  private static final byte[] KEY = "test-hmac-key".getBytes(StandardCharsets.UTF_8);
  private final ObjectMapper json = JsonRows.mapper();

  /** The verdict of the tree path, null when it does not accept the event. */
  private record Reference(
      String eventId, long time, List<String> undeclared, String key, String value) {}

  private final class Paths {
    final RowSchema schema;
    final List<PiiField> pii;
    final List<String[]> keyPaths;
    final CompactEventReader reader;
    int fast;
    int total;

    Paths(EventsSource events, List<PiiField> pii) {
      this.schema = new RowSchema(events);
      this.pii = pii;
      this.keyPaths = events.keyFields.stream().map(f -> f.split("\\.")).toList();
      this.reader = new CompactEventReader(schema, new PiiMinimizer(pii, KEY), keyPaths);
    }

    Reference tree(byte[] value) {
      JsonNode parsed;
      try {
        parsed = json.readTree(value);
      } catch (IOException e) {
        return null;
      }
      if (parsed == null || !parsed.isObject()) {
        return null;
      }
      ObjectNode event = (ObjectNode) parsed;
      if (!(schema.check(event) instanceof RowSchema.Accepted accepted)) {
        return null;
      }
      new PiiMinimizer(pii, KEY).apply(event);
      byte[] key = JsonRows.key(event, keyPaths);
      try {
        return new Reference(
            accepted.eventId(),
            accepted.eventTimeMillis(),
            accepted.undeclared(),
            key == null ? null : new String(key, StandardCharsets.UTF_8),
            new String(json.writeValueAsBytes(event), StandardCharsets.UTF_8));
      } catch (JacksonException e) {
        return null;
      }
    }

    /** Asserts agreement; returns whether the fast path decided. */
    boolean check(byte[] value) {
      total++;
      CompactEventReader.Candidate candidate = reader.read(value);
      if (candidate == null) {
        return false;
      }
      fast++;
      String input = new String(value, StandardCharsets.UTF_8);
      Reference reference = tree(value);
      assertThat(reference).as("tree path accepts %s", input).isNotNull();
      assertThat(
              new Reference(
                  candidate.eventId(),
                  candidate.eventTimeMillis(),
                  candidate.undeclared(),
                  candidate.key() == null
                      ? null
                      : new String(candidate.key(), StandardCharsets.UTF_8),
                  new String(candidate.minimized(), StandardCharsets.UTF_8)))
          .as("fast path on %s", input)
          .isEqualTo(reference);
      return true;
    }
  }

  private Paths productEvents() {
    return new Paths(TestSchemas.productEvents(), TestSchemas.pii());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void compactEventsTakeTheFastPathWithTheTreePathsOutput() {
    Paths paths = productEvents();
    String event =
        "{\"event_id\":\"e1\",\"occurred_at\":\"2026-11-20T10:00:00Z\",\"event_type\":\"page_view\","
            + "\"account_id\":\"acct-1\",\"email\":\"alice@example.com\",\"ip\":\"203.0.113.7\","
            + "\"phone\":\"+1-555-0100\",\"amount\":12.5,\"count\":3,\"is_test\":false,"
            + "\"tags\":[1,\"a\",null,{\"b\":[]}],\"device\":{\"os\":\"ios\",\"model\":\"x\"},"
            + "\"plan\":\"pro\",\"properties\":{\"title\":\"Grüße 👋 مرحبا\"}}";
    assertThat(paths.check(bytes(event))).isTrue();
    CompactEventReader.Candidate candidate = paths.reader.read(bytes(event));
    String out = new String(candidate.minimized(), StandardCharsets.UTF_8);
    assertThat(out).doesNotContain("alice@example.com", "203.0.113.7", "+1-555-0100");
    assertThat(candidate.undeclared()).containsExactly("device.model", "plan");
    assertThat(candidate.key()).isEqualTo(bytes("e1"));
    // A number time, a null PII value, a dropped null, small and negative numbers.
    assertThat(
            paths.check(
                bytes(
                    "{\"event_id\":\"e17\",\"occurred_at\":1795169100000,\"event_type\":\"x\","
                        + "\"account_id\":\"a\",\"email\":null,\"ip\":null,\"count\":-5,"
                        + "\"amount\":1.0E-5}")))
        .isTrue();
  }

  @Test
  void goldenAndFuzzedInputsAgreeWithTheTreePath() throws Exception {
    Paths paths = productEvents();
    for (String line :
        Files.readAllLines(Path.of("src", "test", "resources", "validate", "golden-input.jsonl"))) {
      paths.check(bytes(line));
    }
    for (FuzzEvents.Input input :
        new FuzzEvents(20261127L, Instant.parse("2026-11-20T00:00:00Z")).generate(6_000)) {
      paths.check(input.value());
    }
    // The fuzzed stream is mostly valid compact events: most of them take the fast path.
    assertThat(paths.fast).isGreaterThan(paths.total / 3);
  }

  @Test
  void randomJacksonWrittenEventsAgreeWithTheTreePath() throws Exception {
    Paths paths = productEvents();
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      paths.check(json.writeValueAsBytes(randomEvent(random, i)));
    }
    assertThat(paths.fast).isGreaterThan(paths.total / 4);
  }

  @Test
  void keysFromSeveralFieldsIncludingMinimizedOnes() throws Exception {
    EventsSource events = TestSchemas.productEvents();
    // event_id undeclared: implicit, so number ids are accepted too.
    events.fields = events.fields.stream().filter(f -> !f.name.equals("event_id")).toList();
    events.keyFields = List.of("account_id", "email", "phone", "ip", "device.os", "count");
    Paths paths =
        new Paths(
            events,
            List.of(
                new PiiField("email", PiiField.Action.HASH),
                new PiiField("ip", PiiField.Action.DROP),
                new PiiField("phone", PiiField.Action.MASK),
                new PiiField("device.os", PiiField.Action.MASK)));
    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      paths.check(json.writeValueAsBytes(randomEvent(random, i)));
    }
    assertThat(paths.fast).isGreaterThan(paths.total / 4);
  }

  @Test
  void keysWhoseFirstFieldsAreAbsentOrEmptyHaveNoLeadingSeparator() {
    EventsSource events = TestSchemas.productEvents();
    events.keyFields = List.of("device_id", "user_id", "ip", "account_id", "device_id");
    Paths paths = new Paths(events, TestSchemas.pii());
    String base =
        "{\"event_id\":\"e1\",\"occurred_at\":1795169100000,\"event_type\":\"x\","
            + "\"account_id\":\"acct\"";
    for (String extra :
        List.of(
            "",
            ",\"user_id\":\"\"",
            ",\"ip\":\"10.0.0.1\"",
            ",\"user_id\":\"u\"",
            ",\"device_id\":\"d\",\"ip\":null")) {
      assertThat(paths.check(bytes(base + extra + "}"))).as(extra).isTrue();
    }
    // Nothing before the first non-empty part, a separator before every later one.
    assertThat(paths.reader.read(bytes(base + "}")).key()).isEqualTo(bytes("acct|"));
  }

  @Test
  void interactingPiiRulesLeaveEveryEventToTheTreePath() {
    EventsSource events = TestSchemas.productEvents();
    CompactEventReader reader =
        new CompactEventReader(
            new RowSchema(events),
            new PiiMinimizer(
                List.of(
                    new PiiField("device", PiiField.Action.HASH),
                    new PiiField("device.os", PiiField.Action.DROP)),
                KEY),
            List.<String[]>of(new String[] {"event_id"}));
    assertThat(reader.enabled()).isFalse();
  }

  @Test
  void nonCompactOrUnusualInputIsLeftToTheTreePath() {
    Paths paths = productEvents();
    String base =
        "{\"event_id\":\"e1\",\"occurred_at\":1795169100000,\"event_type\":\"x\","
            + "\"account_id\":\"a\"";
    assertThat(paths.check(bytes(base + "}"))).isTrue();
    assertThat(paths.check(bytes(base + "}\n"))).isTrue();
    for (String odd :
        List.of(
            base + " }",
            " " + base + "}",
            base + ",\"amount\":1E5}",
            base + ",\"amount\":12.50}",
            base + ",\"count\":-0}",
            base + ",\"count\":012}",
            base + ",\"count\":1234567890123456789}",
            base + ",\"properties\":{\"a\":\"b\\\"c\"}}",
            base + ",\"properties\":{\"a\":\"\\u00e9\"}}",
            base + ",\"properties\":{\"a\":1,\"a\":2}}",
            base + ",\"event_type\":\"y\"}",
            base + "}x",
            base + "}{}",
            base + ",\"amount\":NaN}",
            base + ",\"properties\":" + "{\"a\":".repeat(40) + "1" + "}".repeat(40) + "}",
            base)) {
      assertThat(paths.reader.read(bytes(odd))).as(odd).isNull();
      paths.check(bytes(odd));
    }
    // Overlong, surrogate and truncated UTF-8 are not well-formed: the tree path decides.
    for (byte[] bad :
        List.of(
            new byte[] {(byte) 0xc0, (byte) 0x80},
            new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            new byte[] {(byte) 0xe2, (byte) 0x82},
            new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80})) {
      byte[] prefix = bytes(base + ",\"user_id\":\"");
      byte[] value = new byte[prefix.length + bad.length + 2];
      System.arraycopy(prefix, 0, value, 0, prefix.length);
      System.arraycopy(bad, 0, value, prefix.length, bad.length);
      value[value.length - 2] = '"';
      value[value.length - 1] = '}';
      assertThat(paths.reader.read(value)).isNull();
    }
  }

  @Test
  void buffersReusedFromOneEventToTheNextCarryNothingOver() {
    Paths paths = productEvents();
    String big =
        "{\"event_id\":\"big-1\",\"occurred_at\":\"2026-11-20T10:00:00Z\",\"event_type\":\"x\","
            + "\"account_id\":\"acct-1\",\"email\":\"someone.long.name@example.com\","
            + "\"ip\":\"203.0.113.7\",\"phone\":\"+1-555-0100\",\"plan\":\"pro\","
            + "\"device\":{\"os\":\"ios\",\"model\":\"x\"},\"properties\":{\"pad\":\""
            + "p".repeat(5_000)
            + "\"}}";
    String small =
        "{\"event_id\":\"s\",\"occurred_at\":1795169100000,\"event_type\":\"y\","
            + "\"account_id\":\"a\",\"phone\":\"bob@example.org\"}";
    CompactEventReader.Candidate first = paths.reader.read(bytes(big));
    byte[] firstValue = first.minimized().clone();
    byte[] firstKey = first.key().clone();
    CompactEventReader fresh =
        new CompactEventReader(paths.schema, new PiiMinimizer(paths.pii, KEY), paths.keyPaths);
    CompactEventReader.Candidate second = paths.reader.read(bytes(small));
    CompactEventReader.Candidate alone = fresh.read(bytes(small));
    assertThat(second).usingRecursiveComparison().isEqualTo(alone);
    assertThat(new String(second.minimized(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"event_id\":\"s\",\"occurred_at\":1795169100000,\"event_type\":\"y\","
                + "\"account_id\":\"a\",\"phone\":\"***@example.org\"}");
    assertThat(second.undeclared()).isEmpty();
    // What a caller holds from an earlier event is its own, not a view of a reused buffer.
    assertThat(first.minimized()).isEqualTo(firstValue);
    assertThat(first.key()).isEqualTo(firstKey);
    assertThat(first.undeclared()).containsExactly("plan", "device.model");
    assertThat(paths.check(bytes(big))).isTrue();
    assertThat(paths.check(bytes(small))).isTrue();
  }

  @Test
  void repeatedNamesAreFoundOnceTheirNamesAreCachedAndInsideNestedObjects() {
    Paths paths = productEvents();
    String base =
        "{\"event_id\":\"e1\",\"occurred_at\":1795169100000,\"event_type\":\"x\","
            + "\"account_id\":\"a\"";
    List<String> repeated =
        List.of(
            base + ",\"plan\":1,\"device\":{\"plan\":2,\"os\":\"a\"},\"plan\":3}",
            base + ",\"properties\":{\"a\":1,\"b\":{\"a\":2},\"a\":3}}",
            base + ",\"properties\":{\"a\":{\"b\":1,\"b\":2}}}",
            base + ",\"account_id\":\"b\"}");
    // Twice: the second time every name is a cache hit.
    for (int round = 0; round < 2; round++) {
      for (String event : repeated) {
        assertThat(paths.reader.read(bytes(event))).as(event).isNull();
      }
      assertThat(
              paths.check(
                  bytes(
                      base
                          + ",\"plan\":1,\"device\":{\"plan\":2,\"os\":\"a\"},"
                          + "\"properties\":{\"a\":1,\"b\":{\"a\":2}}}")))
          .isTrue();
    }
    // More distinct names than the cache holds: names are evicted while the object is read.
    StringBuilder many = new StringBuilder(base + ",\"properties\":{");
    for (int i = 0; i < 3_000; i++) {
      many.append(i == 0 ? "" : ",").append("\"n").append(i).append("\":").append(i);
    }
    assertThat(paths.check(bytes(many + "}}"))).isTrue();
    assertThat(paths.reader.read(bytes(many + ",\"n1\":0}}"))).isNull();
    assertThat(paths.reader.read(bytes(many + ",\"n2999\":0}}"))).isNull();
  }

  @Test
  void dottedNamesWhereTheyCouldSpellAPathAreLeftToTheTreePath() {
    Paths paths = productEvents();
    String base =
        "{\"event_id\":\"e1\",\"occurred_at\":1795169100000,\"event_type\":\"x\","
            + "\"account_id\":\"a\"";
    // "device.os" at the root is a declared path to the tree path's drift check.
    assertThat(paths.reader.read(bytes(base + ",\"device.os\":\"ios\"}"))).isNull();
    paths.check(bytes(base + ",\"device.os\":\"ios\"}"));
    assertThat(paths.reader.read(bytes(base + ",\"device\":{\"a.b\":1}}"))).isNull();
    // Inside an object whose members are not checked for drift, a dot is just a character.
    assertThat(paths.check(bytes(base + ",\"properties\":{\"a.b\":1}}"))).isTrue();
  }

  @Test
  void plainDecimalsDecidedWithoutParsingAreWhatDoubleToStringWrites() {
    for (String yes : List.of("12.5", "1.0", "0.1", "-3.25", "9999999.5", "0.123456789012345")) {
      assertThat(CompactEventReader.isPlainShortest(bytes(yes), 0, yes.length())).as(yes).isTrue();
    }
    for (String no :
        List.of("12.50", "0.05", "0.0", "-0.0", "12345678.5", "1.0000000000000001", "1.00")) {
      assertThat(CompactEventReader.isPlainShortest(bytes(no), 0, no.length())).as(no).isFalse();
    }
    Random random = new Random(11);
    int decided = 0;
    for (int i = 0; i < 200_000; i++) {
      String text =
          switch (random.nextInt(4)) {
            case 0 -> Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(12) - 3));
            case 1 -> random.nextInt(10_000_000) + "." + random.nextInt(1_000_000);
            case 2 ->
                (random.nextBoolean() ? "-" : "")
                    + random.nextInt(100)
                    + "."
                    + randomDigits(random);
            default -> "0." + randomDigits(random);
          };
      if (CompactEventReader.isPlainShortest(bytes(text), 0, text.length())) {
        decided++;
        assertThat(Double.toString(Double.parseDouble(text))).as(text).isEqualTo(text);
      }
    }
    assertThat(decided).isGreaterThan(50_000);
  }

  private static String randomDigits(Random random) {
    StringBuilder digits = new StringBuilder();
    int n = 1 + random.nextInt(17);
    for (int k = 0; k < n; k++) {
      digits.append((char) ('0' + random.nextInt(10)));
    }
    return digits.toString();
  }

  /** An event of the product schema with random values, right or wrong types, drift, unicode. */
  private ObjectNode randomEvent(Random random, int i) {
    ObjectNode event = json.createObjectNode();
    if (random.nextInt(20) > 0) {
      if (random.nextInt(5) == 0) {
        event.put("event_id", random.nextInt(1000));
      } else {
        event.put("event_id", "r-" + i);
      }
    }
    long time = 1_795_000_000_000L + random.nextInt(1_000_000_000);
    switch (random.nextInt(4)) {
      case 0 -> event.put("occurred_at", Instant.ofEpochMilli(time).toString());
      case 1 -> event.put("occurred_at", "2026-11-20T10:00:00.123+02:00");
      default -> event.put("occurred_at", time);
    }
    event.put("event_type", random.nextInt(10) == 0 ? randomText(random, 40) : "page_view");
    event.put("account_id", "acct-" + random.nextInt(10));
    for (String field :
        List.of(
            "user_id",
            "device_id",
            "email",
            "ip",
            "phone",
            "amount",
            "count",
            "is_test",
            "properties",
            "tags",
            "device",
            "extra")) {
      if (random.nextInt(3) > 0) {
        event.set(
            field,
            random.nextInt(10) == 0 ? randomValue(random, field, 0) : typedValue(random, field));
      }
    }
    return event;
  }

  /** A value of the field's declared type, mostly. */
  private JsonNode typedValue(Random random, String field) {
    return switch (field) {
      case "amount" -> json.getNodeFactory().numberNode(random.nextGaussian() * 1000);
      case "count" -> json.getNodeFactory().numberNode(random.nextLong() >> random.nextInt(64));
      case "is_test" -> json.getNodeFactory().booleanNode(random.nextBoolean());
      case "properties" -> {
        ObjectNode object = json.createObjectNode();
        object.set("p", randomValue(random, "", 1));
        object.set(randomText(random, 3), randomValue(random, "", 1));
        yield object;
      }
      case "tags" -> json.createArrayNode().add(randomValue(random, "", 1)).add("t");
      case "device" -> {
        ObjectNode object = json.createObjectNode();
        object.put("os", randomText(random, 6));
        if (random.nextBoolean()) {
          object.set("model", randomValue(random, "", 1));
        }
        yield object;
      }
      case "extra" -> randomValue(random, field, 0);
      case "email", "phone" ->
          json.getNodeFactory()
              .textNode(randomText(random, 4) + "@" + randomText(random, 3) + ".com");
      default -> json.getNodeFactory().textNode(randomText(random, 1 + random.nextInt(12)));
    };
  }

  private JsonNode randomValue(Random random, String field, int depth) {
    int dice = random.nextInt(100);
    if (dice < 5) {
      return json.nullNode();
    }
    if (dice < 15 && depth < 3) {
      ObjectNode object = json.createObjectNode();
      int n = random.nextInt(4);
      for (int k = 0; k < n; k++) {
        object.set(
            k == 0 && field.equals("device") ? "os" : randomText(random, 5),
            randomValue(random, "", depth + 1));
      }
      return object;
    }
    if (dice < 20 && depth < 3) {
      ArrayNode array = json.createArrayNode();
      int n = random.nextInt(4);
      for (int k = 0; k < n; k++) {
        array.add(randomValue(random, "", depth + 1));
      }
      return array;
    }
    if (dice < 30) {
      return json.getNodeFactory().numberNode(random.nextLong() >> random.nextInt(64));
    }
    if (dice < 45) {
      double d =
          switch (random.nextInt(4)) {
            case 0 -> random.nextInt(100_000) / 100.0;
            case 1 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
            case 2 -> -random.nextGaussian();
            default -> random.nextInt(1000);
          };
      return json.getNodeFactory().numberNode(d);
    }
    if (dice < 50) {
      return json.getNodeFactory().booleanNode(random.nextBoolean());
    }
    if (dice < 65 && (field.equals("email") || field.equals("phone"))) {
      return json.getNodeFactory().textNode("user" + random.nextInt(99) + "@example.com");
    }
    if (dice < 70) {
      return json.getNodeFactory().numberNode(random.nextInt());
    }
    return json.getNodeFactory().textNode(randomText(random, 1 + random.nextInt(20)));
  }

  private static String randomText(Random random, int length) {
    StringBuilder text = new StringBuilder();
    for (int k = 0; k < length; k++) {
      int kind = random.nextInt(10);
      int cp =
          switch (kind) {
            case 0 -> 0x80 + random.nextInt(0x780); // two-byte UTF-8
            case 1 -> 0x800 + random.nextInt(0xd000 - 0x800); // three-byte, below surrogates
            case 2 -> 0xe000 + random.nextInt(0x2000); // three-byte, above surrogates
            case 3 -> 0x10000 + random.nextInt(0x100000); // four-byte (surrogate pair)
            case 4 -> random.nextInt(100) == 0 ? random.nextInt(0x20) : 'a'; // rare control char
            case 5 -> random.nextInt(50) == 0 ? (random.nextBoolean() ? '"' : '\\') : '@';
            default -> 0x20 + random.nextInt(0x60);
          };
      text.appendCodePoint(cp);
    }
    return text.toString();
  }
}
