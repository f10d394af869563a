package io.insighthub.workers.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HashSet;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The least per-event work any validate stage must do on the benchmark's events, for the floor run
 * of {@link WorkersBenchmark}: read every byte once with Jackson's streaming tokenizer (no tree, no
 * field text but the two it needs), HMAC the one hashed PII field and remember the event id in a
 * plain in-memory set. It checks no type, writes no header, rewrites nothing (the input bytes go
 * out as they came) and keeps no fault-tolerant state, so a real stage can only be slower.
 */
final class ValidateFloor implements UnaryOperator<byte[]> {
  private final JsonFactory factory = new JsonFactory();
  private final Mac mac;
  private final Set<String> seen = new HashSet<>();
  private long hashed;

  ValidateFloor(String key) {
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public byte[] apply(byte[] value) {
    try (JsonParser parser = factory.createParser(value)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token == JsonToken.FIELD_NAME && parser.getParsingContext().getParent().inRoot()) {
          String name = parser.currentName();
          if (name.equals("email")) {
            parser.nextToken();
            hashed += mac.doFinal(parser.getText().getBytes(StandardCharsets.UTF_8)).length;
          } else if (name.equals("event_id")) {
            parser.nextToken();
            seen.add(parser.getText());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return value;
  }

  /** Events whose id was seen and bytes of HMAC computed, so the work cannot be optimized away. */
  @Override
  public String toString() {
    return seen.size() + " ids, " + hashed + " HMAC bytes";
  }
}
