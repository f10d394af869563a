package io.insighthub.workers.files.archive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One raw record as an archive line: its Kafka position, timestamp, key, value and headers, the
 * bytes exactly as the broker held them. A key or value that is UTF-8 text is written as a JSON
 * string ({@code key}, {@code value}); anything else as base64 ({@code keyBase64}, {@code
 * valueBase64}); header values always as base64. A purged line says how in {@code purged}.
 *
 * <pre>
 * {"partition":3,"offset":1234,"timestamp":1763632800123,"key":"e-1","value":"{\"event_id\":...}"}
 * </pre>
 *
 * @param purged null for a record as received; {@code minimized} when its PII fields were
 *     minimized, {@code unreadable} when its value was not a JSON object and was removed
 */
public record ArchiveRecord(
    int partition,
    long offset,
    long timestamp,
    byte[] key,
    byte[] value,
    List<Header> headers,
    String purged) {

  /** A record header: its name and value bytes. */
  public record Header(String name, byte[] value) {}

  public static final String MINIMIZED = "minimized";
  public static final String UNREADABLE = "unreadable";

  private static final JsonFactory JSON = new JsonFactory();

  public ArchiveRecord {
    headers = headers == null ? List.of() : List.copyOf(headers);
  }

  /** The same record with another key and value, marked as purged {@code how}. */
  public ArchiveRecord purged(byte[] newKey, byte[] newValue, String how) {
    return new ArchiveRecord(partition, offset, timestamp, newKey, newValue, headers, how);
  }

  /** Writes the line (without the newline) to {@code out}. */
  public void write(JsonGenerator out, CharsetDecoder utf8) throws IOException {
    out.writeStartObject();
    out.writeNumberField("partition", partition);
    out.writeNumberField("offset", offset);
    out.writeNumberField("timestamp", timestamp);
    bytesField(out, utf8, "key", key);
    bytesField(out, utf8, "value", value);
    if (!headers.isEmpty()) {
      out.writeArrayFieldStart("headers");
      for (Header header : headers) {
        out.writeStartObject();
        out.writeStringField("name", header.name());
        if (header.value() != null) {
          out.writeStringField("valueBase64", Base64.getEncoder().encodeToString(header.value()));
        }
        out.writeEndObject();
      }
      out.writeEndArray();
    }
    if (purged != null) {
      out.writeStringField("purged", purged);
    }
    out.writeEndObject();
  }

  private static void bytesField(JsonGenerator out, CharsetDecoder utf8, String name, byte[] bytes)
      throws IOException {
    if (bytes == null) {
      return;
    }
    CharBuffer text = text(bytes, utf8);
    if (text != null) {
      out.writeFieldName(name);
      out.writeString(text.array(), text.arrayOffset() + text.position(), text.remaining());
    } else {
      out.writeStringField(name + "Base64", Base64.getEncoder().encodeToString(bytes));
    }
  }

  /** The bytes as text when they are well-formed UTF-8, else null. */
  private static CharBuffer text(byte[] bytes, CharsetDecoder utf8) {
    try {
      utf8.reset();
      return utf8.decode(ByteBuffer.wrap(bytes));
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** A strict decoder: malformed input is reported, never replaced. Not thread-safe. */
  public static CharsetDecoder strictUtf8() {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /** Reads one line {@link #write} wrote. */
  public static ArchiveRecord read(String line) throws IOException {
    try (JsonParser in = JSON.createParser(line)) {
      if (in.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("an archive line is not a JSON object");
      }
      int partition = -1;
      long offset = -1;
      long timestamp = -1;
      byte[] key = null;
      byte[] value = null;
      String purged = null;
      List<Header> headers = new ArrayList<>();
      while (in.nextToken() == JsonToken.FIELD_NAME) {
        String field = in.currentName();
        in.nextToken();
        switch (field) {
          case "partition" -> partition = in.getIntValue();
          case "offset" -> offset = in.getLongValue();
          case "timestamp" -> timestamp = in.getLongValue();
          case "key" -> key = in.getText().getBytes(StandardCharsets.UTF_8);
          case "keyBase64" -> key = Base64.getDecoder().decode(in.getText());
          case "value" -> value = in.getText().getBytes(StandardCharsets.UTF_8);
          case "valueBase64" -> value = Base64.getDecoder().decode(in.getText());
          case "purged" -> purged = in.getText();
          case "headers" -> {
            while (in.nextToken() == JsonToken.START_OBJECT) {
              String name = null;
              byte[] bytes = null;
              while (in.nextToken() == JsonToken.FIELD_NAME) {
                String f = in.currentName();
                in.nextToken();
                if (f.equals("name")) {
                  name = in.getText();
                } else if (f.equals("valueBase64")) {
                  bytes = Base64.getDecoder().decode(in.getText());
                } else {
                  in.skipChildren();
                }
              }
              headers.add(new Header(name, bytes));
            }
          }
          default -> in.skipChildren();
        }
      }
      if (partition < 0 || offset < 0) {
        throw new IOException("an archive line has no partition or offset");
      }
      return new ArchiveRecord(partition, offset, timestamp, key, value, headers, purged);
    }
  }
}
