package io.insighthub.workers.validate;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Generates a seeded mix of good, bad and edge-case raw records for the product-events schema:
 * random bytes, deep nesting, huge strings, unicode, wrong types, missing fields, duplicates,
 * out-of-order, very late and future times. Remembers each record's event id and raw PII values.
 */
public final class FuzzEvents {
  /** One generated raw record. {@code eventId} is null when the record has none to speak of. */
  public record Input(String kind, String eventId, byte[] value) {}

  private static final String[] UNICODE = {
    "Grüße",
    "日本語テキスト",
    "مرحبا بالعالم",
    "😀👍🏽🧑‍🚀",
    "\u200B\u200Dzero-width",
    "Ω≈ç√∫",
    "\\u0000nul",
    "line\\nbreak",
    "tab\\there",
    "\\ud83d\\ude00 escaped",
    "\\ud800 lone surrogate"
  };

  private final Random random;
  private final long base;
  private final List<Input> inputs = new ArrayList<>();
  private final List<Input> accepted = new ArrayList<>();
  private final Set<String> piiValues = new HashSet<>();
  private long clock;

  public FuzzEvents(long seed, Instant base) {
    this.random = new Random(seed);
    this.base = base.toEpochMilli();
    this.clock = this.base;
  }

  public List<Input> generate(int count) {
    for (int i = 0; i < count; i++) {
      clock += random.nextInt(2_000);
      int dice = random.nextInt(100);
      Input input;
      if (dice < 40) {
        input = valid(i, clock, "valid");
      } else if (dice < 48 && !accepted.isEmpty()) {
        Input original = accepted.get(random.nextInt(accepted.size()));
        input = new Input("duplicate", original.eventId(), original.value());
      } else if (dice < 53) {
        input = valid(i, clock - random.nextInt(30 * 60_000), "out-of-order");
      } else if (dice < 57) {
        input = valid(i, clock - (2 + random.nextInt(5_000)) * 3_600_000L, "very-late");
      } else if (dice < 59) {
        input = valid(i, clock + 365L * 86_400_000L * (1 + random.nextInt(50)), "future");
      } else if (dice < 64) {
        byte[] bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
        input = new Input("random-bytes", null, bytes);
      } else if (dice < 67) {
        int depth = 10 + random.nextInt(500);
        input =
            new Input(
                "deep-nesting",
                null,
                bytes(
                    event(
                        i,
                        clock,
                        "\"properties\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth))));
      } else if (dice < 71) {
        int length =
            random.nextBoolean() ? 5_000 + random.nextInt(20_000) : 100 + random.nextInt(3_000);
        input =
            new Input(
                "huge-string",
                "fz-" + i,
                bytes(event(i, clock, "\"properties\":{\"blob\":\"" + "x".repeat(length) + "\"}")));
      } else if (dice < 74) {
        input =
            new Input(
                "too-long-type",
                "fz-" + i,
                bytes(
                    event(i, clock, "")
                        .replace(
                            "\"page_view\"", "\"" + "t".repeat(33 + random.nextInt(500)) + "\"")));
      } else if (dice < 80) {
        String text = UNICODE[random.nextInt(UNICODE.length)];
        input =
            new Input(
                "unicode",
                "fz-" + i,
                bytes(
                    event(
                        i,
                        clock,
                        "\"user_id\":\"" + text + "\",\"properties\":{\"t\":\"" + text + "\"}")));
      } else if (dice < 88) {
        String[] wrong = {
          "\"count\":\"seven\"", "\"amount\":\"1.5\"", "\"is_test\":\"yes\"", "\"tags\":{}",
          "\"properties\":[1]", "\"count\":1.25", "\"device\":42", "\"user_id\":17"
        };
        input =
            new Input(
                "wrong-type",
                "fz-" + i,
                bytes(event(i, clock, wrong[random.nextInt(wrong.length)])));
      } else if (dice < 93) {
        String full = event(i, clock, "");
        String[] drop = {
          "\"account_id\":\"acct-1\"", "\"event_type\":\"page_view\"", "\"occurred_at\":" + clock
        };
        String without = full.replace("," + drop[random.nextInt(drop.length)], "");
        input = new Input("missing-field", "fz-" + i, bytes(without));
      } else if (dice < 96) {
        String[] odd = {
          "", "null", "42", "\"text\"", "[]", "{}", "{\"event_id\":", "{\"a\":1,\"a\":2}"
        };
        input = new Input("odd-json", null, bytes(odd[random.nextInt(odd.length)]));
      } else {
        String[] badTimes = {"\"yesterday\"", "\"2026-02-30T00:00:00Z\"", "-1", "1.5e12", "true"};
        input =
            new Input(
                "bad-time",
                "fz-" + i,
                bytes(
                    event(i, clock, "")
                        .replace(
                            "\"occurred_at\":" + clock,
                            "\"occurred_at\":" + badTimes[random.nextInt(badTimes.length)])));
      }
      inputs.add(input);
    }
    return inputs;
  }

  public Set<String> piiValues() {
    return piiValues;
  }

  private Input valid(int i, long time, String kind) {
    String email = "user" + i + ".pii@example.com";
    String ip = "10." + (i % 250) + "." + (i / 250 % 250) + "." + (1 + random.nextInt(250));
    String phone = "+1-555-" + (1000000 + i);
    piiValues.addAll(List.of(email, ip, phone));
    String extras =
        "\"user_id\":\"u-"
            + random.nextInt(50)
            + "\",\"email\":\""
            + email
            + "\",\"ip\":\""
            + ip
            + "\",\"phone\":\""
            + phone
            + "\",\"amount\":"
            + random.nextInt(10_000) / 100.0;
    Input input = new Input(kind, "fz-" + i, bytes(event(i, time, extras)));
    if (kind.equals("valid")) {
      accepted.add(input);
    }
    return input;
  }

  private static String event(int i, long time, String extras) {
    return "{\"event_id\":\"fz-"
        + i
        + "\",\"occurred_at\":"
        + time
        + ",\"event_type\":\"page_view\",\"account_id\":\"acct-1\""
        + (extras.isEmpty() ? "" : "," + extras)
        + "}";
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
