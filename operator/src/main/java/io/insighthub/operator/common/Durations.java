package io.insighthub.operator.common;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the spec's duration strings (Go style: 90s, 1h30m, 250ms), as the CRD pattern allows. */
public final class Durations {
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private Durations() {}

  public static Duration parse(String text) {
    Matcher m = PART.matcher(text);
    double millis = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        throw new IllegalArgumentException("not a duration: " + text);
      }
      double value = Double.parseDouble(m.group(1));
      millis +=
          switch (m.group(2)) {
            case "ms" -> value;
            case "s" -> value * 1_000;
            case "m" -> value * 60_000;
            default -> value * 3_600_000;
          };
      end = m.end();
    }
    if (end == 0 || end != text.length()) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
    return Duration.ofMillis(Math.round(millis));
  }
}
