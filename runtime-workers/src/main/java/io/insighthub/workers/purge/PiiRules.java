package io.insighthub.workers.purge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insighthub.crds.v1alpha1.PiiField;
import io.insighthub.workers.files.archive.ArchiveRecord;
import io.insighthub.workers.rows.PiiMinimizer;
import java.io.IOException;
import java.util.List;

/**
 * A Pipeline's PII rules applied to archived raw records, by the minimizer validate uses, with the
 * same HMAC key, so a purged archive holds exactly the hashes, masks and drops the validated layer
 * holds (a hashed e-mail still joins). A value that is not a JSON object cannot be minimized field
 * by field and is removed; a record key made of a PII field is removed too.
 */
final class PiiRules {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PiiMinimizer minimizer;
  private final boolean keyIsPii;

  /**
   * @param hmacKey the key validate hashes with; null when no field is hashed
   * @param keyFields the events' key fields, which key the raw records
   */
  PiiRules(List<PiiField> fields, byte[] hmacKey, List<String> keyFields) {
    this.minimizer = new PiiMinimizer(fields, hmacKey);
    this.keyIsPii =
        keyFields != null
            && keyFields.stream().anyMatch(k -> fields.stream().anyMatch(f -> f.field.equals(k)));
  }

  /** The HMAC key in {@code file}, read as validate reads it; problems added when unreadable. */
  static byte[] key(String file, List<String> problems) {
    return PiiMinimizer.readKey(file, problems);
  }

  ArchiveRecord minimize(ArchiveRecord record) {
    if (record.purged() != null) {
      return record;
    }
    byte[] key = keyIsPii ? null : record.key();
    if (record.value() == null) {
      return record.purged(key, null, ArchiveRecord.MINIMIZED);
    }
    JsonNode event;
    try {
      event = JSON.readTree(record.value());
    } catch (IOException e) {
      event = null;
    }
    if (event == null || !event.isObject()) {
      return record.purged(key, null, ArchiveRecord.UNREADABLE);
    }
    minimizer.apply((ObjectNode) event);
    try {
      return record.purged(key, JSON.writeValueAsBytes(event), ArchiveRecord.MINIMIZED);
    } catch (IOException e) {
      return record.purged(key, null, ArchiveRecord.UNREADABLE);
    }
  }
}
