package io.insighthub.workers.streams;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the CRDs' duration strings ({@code 500ms}, {@code 10m}, {@code 1h30m}, {@code 1.5h}). */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private Durations() {}

  /** The duration {@code text} denotes; throws naming {@code field} when it does not parse. */
  public static Duration parse(String text, String field) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          field + " must be a duration such as 500ms, 30s, 10m or 1h30m, got '" + text + "'");
    }
    double millis = 0;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      double amount = Double.parseDouble(part.group(1));
      millis +=
          switch (part.group(2)) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            default -> amount * 3_600_000;
          };
    }
    return Duration.ofMillis(Math.round(millis));
  }
}
