package io.insighthub.operator.cdc;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Formats a WAL amount the way Kubernetes quantities read: 512, 12Ki, 1.5Mi, 120Gi. */
final class SlotLag {
  private static final String[] UNITS = {"Ki", "Mi", "Gi", "Ti", "Pi"};

  private SlotLag() {}

  static String format(long bytes) {
    if (bytes < 1024) {
      return Long.toString(Math.max(bytes, 0));
    }
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    BigDecimal rounded =
        BigDecimal.valueOf(value)
            .setScale(value < 10 ? 1 : 0, RoundingMode.HALF_UP)
            .stripTrailingZeros();
    return rounded.toPlainString() + UNITS[unit];
  }
}
