package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local disk a worker pod's state directory may use ({@code stateStorage} of its WorkerSpec):
 * the state emptyDir's {@code sizeLimit}, the container's {@code ephemeral-storage} request, and
 * validate's dedup spill bound.
 *
 * @param bytes the size in whole bytes (a fraction rounds up)
 * @param binary whether it was spelled with a binary suffix (Ki, Mi, Gi...), which the API server
 *     keeps when it writes the quantity back
 */
public record StateStorage(BigInteger bytes, boolean binary) {
  public static final String EPHEMERAL_STORAGE = "ephemeral-storage";

  /**
   * Disk planned per spilled dedup id: ~35 bytes once RocksDB has compacted (BENCHMARKS.md "Dedup
   * spill"), doubled for the table files written before compaction and ingestion.
   */
  public static final int SPILL_BYTES_PER_ID = 70;

  /**
   * Share of the volume the spill may fill, so validate forgets its oldest ids (counted and logged)
   * before the kubelet evicts the pod for going over the sizeLimit; the rest is headroom for
   * RocksDB's manifests and logs and the stage's instance id.
   */
  public static final BigDecimal SPILL_SHARE = new BigDecimal("0.9");

  private static final BigInteger KI = BigInteger.valueOf(1024);
  private static final BigInteger K = BigInteger.valueOf(1000);
  private static final String[] BINARY = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  private static final String[] DECIMAL = {"", "k", "M", "G", "T", "P", "E"};
  private static final Map<String, Integer> DECIMAL_EXPONENTS =
      Map.of("n", -9, "u", -6, "m", -3, "", 0, "k", 3, "M", 6, "G", 9, "T", 12, "P", 15, "E", 18);

  /** The size a WorkerSpec asks for, or null when it sets none. */
  public static StateStorage of(String quantity) {
    if (quantity == null) {
      return null;
    }
    // Exact arithmetic: fabric8's numerical amount rounds the largest suffixes (2Ei).
    var parsed = new Quantity(quantity);
    String format = parsed.getFormat() == null ? "" : parsed.getFormat();
    int binary = List.of(BINARY).indexOf(format);
    BigDecimal amount = new BigDecimal(parsed.getAmount());
    if (binary > 0) {
      amount = amount.multiply(new BigDecimal(KI.pow(binary)));
    } else if (DECIMAL_EXPONENTS.containsKey(format)) {
      amount = amount.scaleByPowerOfTen(DECIMAL_EXPONENTS.get(format));
    } else if (format.matches("[eE][+-]?[0-9]+")) {
      amount = amount.scaleByPowerOfTen(Integer.parseInt(format.substring(1)));
    } else {
      throw new IllegalArgumentException(
          "stateStorage must be a quantity of bytes such as 20Gi, got '" + quantity + "'");
    }
    if (amount.signum() <= 0) {
      throw new IllegalArgumentException(
          "stateStorage must be a positive quantity of bytes, got '" + quantity + "'");
    }
    return new StateStorage(
        amount.setScale(0, RoundingMode.CEILING).toBigIntegerExact(), binary > 0);
  }

  /**
   * The size as the API server stores it: a quantity is written back in canonical form in the
   * spelling's system (1024Mi reads 1Gi, 1.5Gi reads 1536Mi, 20000M reads 20G), so a Deployment
   * rendered with the user's spelling would differ from the stored one at every reconcile and be
   * applied again.
   */
  public Quantity quantity() {
    int exponent = 0;
    BigInteger mantissa = bytes;
    while (binary && exponent < BINARY.length - 1 && mantissa.mod(KI).signum() == 0) {
      mantissa = mantissa.divide(KI);
      exponent++;
    }
    if (exponent > 0) {
      return new Quantity(mantissa.toString(), BINARY[exponent]);
    }
    while (exponent < DECIMAL.length - 1 && mantissa.mod(K).signum() == 0) {
      mantissa = mantissa.divide(K);
      exponent++;
    }
    return new Quantity(mantissa.toString(), DECIMAL[exponent]);
  }

  /**
   * The container's resources with an {@code ephemeral-storage} request of this size, unless they
   * already request or limit ephemeral storage (the user's choice wins; a limit alone makes the
   * request equal to it). The given resources are not changed.
   */
  public ResourceRequirements requestedIn(ResourceRequirements resources) {
    if (resources != null
        && (setsEphemeralStorage(resources.getRequests())
            || setsEphemeralStorage(resources.getLimits()))) {
      return resources;
    }
    var copy = new ResourceRequirements();
    Map<String, Quantity> requests = new LinkedHashMap<>();
    if (resources != null) {
      copy.setClaims(resources.getClaims());
      copy.setLimits(
          resources.getLimits() == null ? null : new LinkedHashMap<>(resources.getLimits()));
      if (resources.getRequests() != null) {
        requests.putAll(resources.getRequests());
      }
    }
    requests.put(EPHEMERAL_STORAGE, quantity());
    copy.setRequests(requests);
    return copy;
  }

  /** The most dedup ids a validate process may spill: 90% of the volume at 70 bytes per id. */
  public long maxSpilledDedupIds() {
    BigInteger ids =
        new BigDecimal(bytes)
            .multiply(SPILL_SHARE)
            .divide(BigDecimal.valueOf(SPILL_BYTES_PER_ID), 0, RoundingMode.FLOOR)
            .toBigIntegerExact();
    return ids.min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
  }

  private static boolean setsEphemeralStorage(Map<String, Quantity> amounts) {
    return amounts != null && amounts.containsKey(EPHEMERAL_STORAGE);
  }
}
