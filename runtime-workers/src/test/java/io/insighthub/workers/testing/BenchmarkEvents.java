package io.insighthub.workers.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The benchmarks' raw product events: ~940 bytes of compact JSON with PII fields (email, IP,
 * phone), a nested object with a 620-byte padding string, 500 accounts and 20,000 users, one event
 * every 5 ms of event time from 2026-11-20.
 */
public final class BenchmarkEvents {
  private static final long START = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
  private static final String PADDING = "x".repeat(620);

  private BenchmarkEvents() {}

  public static String id(int i) {
    return "ev-" + i;
  }

  /**
   * Event {@code i}; its time as epoch milliseconds, or as RFC 3339 text when {@code isoTime} (as
   * the load stage's watermark reads it).
   */
  public static byte[] raw(int i, boolean isoTime) {
    long time = START + i * 5L;
    String json =
        "{\"event_id\":\""
            + id(i)
            + "\",\"occurred_at\":"
            + (isoTime ? "\"" + Instant.ofEpochMilli(time) + "\"" : Long.toString(time))
            + ",\"event_type\":\""
            + (i % 10 == 0 ? "api_call" : "page_view")
            + "\",\"account_id\":\"acct-"
            + (i % 500)
            + "\",\"user_id\":\"user-"
            + (i % 20_000)
            + "\",\"email\":\"user"
            + (i % 20_000)
            + "@example.com\",\"ip\":\"10.0."
            + (i % 250)
            + ".7\",\"phone\":\"+1-555-0100\",\"amount\":12.5,\"count\":3,"
            + "\"properties\":{\"path\":\"/products/"
            + i
            + "\",\"referrer\":\"https://search.example.com/?q=analytics\",\"pad\":\""
            + PADDING
            + "\"}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
