package io.insighthub.workers.rows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insighthub.crds.v1alpha1.PiiField;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Applies the Pipeline's PII actions to an event in place: {@code hash} replaces the value with the
 * lower-case hex HMAC-SHA256 of its text under the mounted key (the same on every replica and
 * restart), {@code drop} removes the field, {@code mask} keeps an email's domain and replaces
 * anything else. Not thread-safe: one instance per thread.
 */
public final class PiiMinimizer {
  public static final String MASK = "***";

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final List<Rule> rules;
  private final Mac mac;

  /** {@code parent} is the path without its last part, split once rather than per event. */
  private record Rule(String[] parent, String name, PiiField.Action action) {}

  /** {@code hmacKey} may be null only when no field is hashed. */
  public PiiMinimizer(List<PiiField> fields, byte[] hmacKey) {
    this.rules =
        fields.stream()
            .map(
                f -> {
                  String[] path = f.field.split("\\.");
                  return new Rule(parentPath(path), path[path.length - 1], f.action);
                })
            .toList();
    boolean hashes = fields.stream().anyMatch(f -> f.action == PiiField.Action.HASH);
    if (hashes && (hmacKey == null || hmacKey.length == 0)) {
      throw new IllegalArgumentException("a PII field is hashed but the HMAC key is empty");
    }
    this.mac = hashes ? newMac(hmacKey) : null;
  }

  /** The key bytes, a trailing newline removed (as {@code echo key > file} leaves one). */
  public static byte[] readKey(String file, List<String> problems) {
    if (file == null || file.isBlank()) {
      problems.add(
          "config.pii.hashKeyFile is missing: a field uses action hash, mount the HMAC key Secret");
      return null;
    }
    try {
      byte[] bytes = Files.readAllBytes(Path.of(file));
      int end = bytes.length;
      while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
        end--;
      }
      if (end == 0) {
        problems.add("config.pii.hashKeyFile " + file + " is empty: the HMAC key is missing");
        return null;
      }
      return Arrays.copyOf(bytes, end);
    } catch (IOException e) {
      problems.add(
          "config.pii.hashKeyFile "
              + file
              + " cannot be read ("
              + e.getClass().getSimpleName()
              + "): mount the HMAC key Secret there");
      return null;
    }
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  public void apply(ObjectNode event) {
    for (Rule rule : rules) {
      JsonNode parent = RowSchema.resolve(event, rule.parent);
      if (parent == null || !parent.isObject()) {
        continue;
      }
      ObjectNode holder = (ObjectNode) parent;
      String name = rule.name;
      JsonNode value = holder.get(name);
      if (value == null) {
        continue;
      }
      switch (rule.action) {
        case DROP -> holder.remove(name);
        case HASH -> {
          if (!value.isNull()) {
            holder.put(name, hash(value.isTextual() ? value.textValue() : value.toString()));
          }
        }
        case MASK -> {
          if (!value.isNull()) {
            holder.put(name, mask(value));
          }
        }
      }
    }
  }

  /** Lower-case hex HMAC-SHA256 of the UTF-8 text. */
  public String hash(String text) {
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * {@link #hash} of the text whose UTF-8 bytes are {@code in[from, from + length)}, written as 64
   * ASCII bytes into {@code out} at {@code at}, without a String on either side.
   */
  void hashHex(byte[] in, int from, int length, byte[] out, int at) {
    mac.update(in, from, length);
    byte[] digest = mac.doFinal();
    for (int i = 0; i < digest.length; i++) {
      out[at + 2 * i] = HEX[(digest[i] >> 4) & 0xf];
      out[at + 2 * i + 1] = HEX[digest[i] & 0xf];
    }
  }

  /** An email keeps only its domain ({@code ***@example.com}); any other value becomes ***. */
  static String mask(JsonNode value) {
    return value.isTextual() ? mask(value.textValue()) : MASK;
  }

  /** The mask of a text value. */
  public static String mask(String text) {
    int at = text.lastIndexOf('@');
    if (at > 0 && at < text.length() - 1 && text.indexOf('.', at) > at + 1) {
      return MASK + text.substring(at);
    }
    return MASK;
  }

  /**
   * The rules as (dotted path, action), in order, for {@link CompactEventReader}; null when one
   * rule's path is another's or lies inside it, since such rules interact (order matters) and are
   * left to the tree path.
   */
  List<Map.Entry<String[], PiiField.Action>> independentRules() {
    for (Rule a : rules) {
      for (Rule b : rules) {
        if (a != b && isPrefix(full(a), full(b))) {
          return null;
        }
      }
    }
    return rules.stream().map(r -> Map.entry(full(r), r.action)).toList();
  }

  private static String[] full(Rule rule) {
    String[] path = Arrays.copyOf(rule.parent, rule.parent.length + 1);
    path[rule.parent.length] = rule.name;
    return path;
  }

  /** True when {@code prefix} equals {@code path} or is one of its ancestors. */
  static boolean isPrefix(String[] prefix, String[] path) {
    if (prefix.length > path.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (!prefix[i].equals(path[i])) {
        return false;
      }
    }
    return true;
  }

  private static String[] parentPath(String[] path) {
    String[] parent = new String[path.length - 1];
    System.arraycopy(path, 0, parent, 0, parent.length);
    return parent;
  }

  private static Mac newMac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
