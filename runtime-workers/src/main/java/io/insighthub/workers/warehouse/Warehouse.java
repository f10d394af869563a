package io.insighthub.workers.warehouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The warehouse boundary (DESIGN.md section 8): schemas, tables created and evolved by the loaders,
 * and batches applied in one transaction together with the offsets they consumed.
 */
public interface Warehouse extends AutoCloseable {
  /** The layers' schemas; {@code OPS} holds offsets, loads and quarantine. */
  List<String> SCHEMAS = List.of("RAW", "VALIDATED", "CURATED", "OPS");

  /** Creates the schemas and the OPS tables when missing. Idempotent. */
  void init();

  /** The table's columns by name, empty when the table does not exist. */
  Map<String, ColumnType> columns(TableId table);

  /**
   * Creates the table, or adds the columns it lacks (nullable; a column is never dropped or
   * retyped). Returns the table's columns afterwards, whose types win over the requested ones.
   */
  Map<String, ColumnType> ensureTable(TableId table, List<Column> columns, List<String> key);

  /** Creates or evolves the target of CDC changes: the data columns plus the position columns. */
  Map<String, ColumnType> ensureCdcTable(TableId table, List<Column> columns, List<String> key);

  /**
   * The named columns of the row with the given key, empty when there is none (used to recover
   * unchanged TOAST values of a row whose primary key changed).
   */
  java.util.Optional<Map<String, Object>> row(
      TableId table, List<String> key, List<Object> keyValues, List<String> columns);

  /** A table's rows and the rows whose column is null (all of them when it has no such column). */
  record NullCount(long rows, long nulls) {}

  /**
   * Counts the table's rows and nulls in {@code column}: the baseline a loader's nullSpike check
   * starts from after a restart. Zero rows when the table does not exist.
   */
  NullCount nullCount(TableId table, String column);

  /**
   * The newest source commit time ({@code _SOURCE_TS}) in a CDC table: what a restarted cdc-load
   * reports as the table's newest event until it loads a change. Empty when the table does not
   * exist or has no row with one.
   */
  Optional<Instant> maxSourceTime(TableId table);

  /**
   * The newest value of a timestamp column, e.g. a batch table's time field: what its watermark
   * reports as its newest event. Empty when the table or column does not exist or holds no value.
   */
  Optional<Instant> maxTime(TableId table, String column);

  /** The file versions {@code consumer} recorded in OPS.FILE_MANIFEST under bucket and prefix. */
  List<StoredFile> storedFiles(String consumer, String bucket, String prefix);

  /** Starts the one transaction of one file's rows ({@link FileLoad}). */
  FileLoad beginFile(FileLoad.Target target);

  /**
   * Records a file that loads no rows (quarantined whole) in OPS.FILE_MANIFEST, with its quarantine
   * rows, in one transaction; nothing when that version is recorded already.
   */
  void recordFile(String consumer, StoredFile file, List<FileQuarantine> quarantined);

  /** The offsets stored for {@code consumer}, to seek to on start. */
  List<SourceOffset> offsets(String consumer);

  /** Applies the batch and records its offsets and load log, all in one transaction. */
  BatchResult apply(Batch batch);

  /** Retention, PII purge and the audit trail of the layers' tables. */
  WarehouseLifecycle lifecycle();

  @Override
  void close();

  /**
   * Opens the warehouse described by a mounted connection Secret: the file {@code url} ({@code
   * jdbc:duckdb:/path} or {@code jdbc:snowflake://...}) and one file per driver property (user,
   * password, ...).
   */
  static Warehouse open(Path connectionDir) {
    try (var files = Files.list(connectionDir)) {
      Properties properties = new Properties();
      String url = null;
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = file.getFileName().toString();
        String value = Files.readString(file).strip();
        if (name.equals("url")) {
          url = value;
        } else if (!name.startsWith(".")) {
          properties.setProperty(name, value);
        }
      }
      if (url == null) {
        throw new IllegalArgumentException(
            connectionDir
                + " has no 'url' key: the connection Secret needs url=jdbc:duckdb:<path>"
                + " or jdbc:snowflake://<account>.snowflakecomputing.com");
      }
      return open(url, properties);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the warehouse connection in " + connectionDir, e);
    }
  }

  /** Opens the warehouse at a JDBC URL. */
  static Warehouse open(String url, Properties properties) {
    if (url.startsWith("jdbc:duckdb:")) {
      return DuckDbWarehouse.open(Path.of(url.substring("jdbc:duckdb:".length())), properties);
    }
    if (url.startsWith("jdbc:snowflake:")) {
      return SnowflakeWarehouse.open(url, properties);
    }
    throw new IllegalArgumentException(
        "unsupported warehouse url (expected jdbc:duckdb: or jdbc:snowflake:)");
  }
}
