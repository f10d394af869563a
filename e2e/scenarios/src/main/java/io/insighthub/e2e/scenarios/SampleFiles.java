package io.insighthub.e2e.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the batch samples find in the object store on a fresh local stack: every bucket a sample
 * names ({@code s3://} locations anywhere in its spec), and for each of the last {@link #DAYS} days
 * the files a batch source's {@code filePattern} matches, in its format and with its declared
 * columns: the daily Salesforce Account export (CSV, every field quoted as the export writes it,
 * with the billing contact's e-mail and phone, PII the Pipeline hashes and drops) and the payment
 * processor's settlement files (Parquet, written by DuckDB). Accounts and invoices use the ids of
 * the local billing database and the event generator, so the samples' joins find each other.
 */
final class SampleFiles {
  /** Days of files seeded, ending today. */
  static final int DAYS = 3;

  private static final int ACCOUNTS = 40;
  private static final int SETTLEMENTS_PER_DAY = 60;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** A sample's batch source: where its files are and what they hold. */
  record BatchSource(
      String pipeline,
      String bucket,
      String prefix,
      String filePattern,
      String format,
      List<Field> fields) {
    String key(LocalDate day) {
      return prefix + filePattern.replace("*", day.toString());
    }
  }

  record Field(String name, String type) {}

  private SampleFiles() {}

  /** The buckets the samples name, sorted. */
  static List<String> buckets(Path samples, List<String> files) {
    TreeSet<String> buckets = new TreeSet<>();
    for (JsonNode doc : documents(samples, files)) {
      collectBuckets(doc.path("spec"), buckets);
    }
    return List.copyOf(buckets);
  }

  /** The batch sources of the samples, in file order. */
  static List<BatchSource> batchSources(Path samples, List<String> files) {
    List<BatchSource> sources = new ArrayList<>();
    for (JsonNode doc : documents(samples, files)) {
      JsonNode batch = doc.path("spec").path("source").path("batch");
      if (!"Pipeline".equals(doc.path("kind").asText()) || batch.isMissingNode()) {
        continue;
      }
      URI uri = URI.create(batch.path("uri").asText());
      String prefix = uri.getPath().replaceFirst("^/", "");
      List<Field> fields = new ArrayList<>();
      batch
          .path("fields")
          .forEach(f -> fields.add(new Field(f.path("name").asText(), f.path("type").asText())));
      sources.add(
          new BatchSource(
              doc.path("metadata").path("name").asText(),
              uri.getHost(),
              prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/",
              batch.path("filePattern").asText("*"),
              batch.path("format").asText(),
              List.copyOf(fields)));
    }
    return sources;
  }

  /**
   * Writes each batch source's files of the last {@link #DAYS} days ({@code scratch} holds them on
   * the way) and returns their {@code s3://} locations.
   */
  static List<String> seed(S3Client s3, List<BatchSource> sources, Path scratch, LocalDate today) {
    List<String> written = new ArrayList<>();
    try {
      Files.createDirectories(scratch);
      for (BatchSource source : sources) {
        for (int back = DAYS - 1; back >= 0; back--) {
          LocalDate day = today.minusDays(back);
          Path file = scratch.resolve(source.pipeline() + "-" + day + "." + source.format());
          switch (source.format()) {
            case "csv" -> Files.writeString(file, csv(source, day), StandardCharsets.UTF_8);
            case "parquet" -> parquet(source, day, file);
            default ->
                throw new IllegalArgumentException(
                    "Pipeline "
                        + source.pipeline()
                        + ": no local sample files of format "
                        + source.format());
          }
          String key = source.key(day);
          s3.putObject(b -> b.bucket(source.bucket()).key(key), RequestBody.fromFile(file));
          written.add("s3://" + source.bucket() + "/" + key);
        }
      }
      return written;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One day's Account export: every account created by then, a few modified that day; fields the
   * export does not fill are empty.
   */
  static String csv(BatchSource source, LocalDate day) {
    StringBuilder text = new StringBuilder();
    text.append(source.fields().stream().map(f -> quote(f.name())).collect(Collectors.joining(",")))
        .append("\r\n");
    Instant exported = day.atTime(3, 0).toInstant(ZoneOffset.UTC);
    for (int n = 1; n <= ACCOUNTS; n++) {
      int account = n;
      Map<String, Function<Integer, Object>> values = accountColumns(day, exported);
      text.append(
              source.fields().stream()
                  .map(f -> values.getOrDefault(f.name(), x -> null).apply(account))
                  .map(v -> v == null ? "" : quote(String.valueOf(v)))
                  .collect(Collectors.joining(",")))
          .append("\r\n");
    }
    return text.toString();
  }

  private static Map<String, Function<Integer, Object>> accountColumns(
      LocalDate day, Instant exported) {
    String[] types = {"Customer", "Customer", "Prospect", "Partner"};
    String[] industries = {"Software", "Retail", "Financial Services", "Healthcare", "Media"};
    String[][] places = {{"US", "CA"}, {"US", "NY"}, {"DE", null}, {"GB", null}, {"US", "TX"}};
    return Map.ofEntries(
        column("id", n -> salesforceId("001", n)),
        // Names with a comma and a quote: the export quotes every field.
        column(
            "name",
            n ->
                n % 7 == 0
                    ? "Account " + n + ", Inc."
                    : n % 11 == 0 ? "\"Acme\" " + n : "Account " + n),
        column("type", n -> types[n % types.length]),
        column("industry", n -> industries[n % industries.length]),
        column("billing_country", n -> places[n % places.length][0]),
        column("billing_state", n -> places[n % places.length][1]),
        column("annual_revenue", n -> n % 5 == 0 ? null : 250_000.0 * n),
        column("number_of_employees", n -> 10 * n),
        column("owner_id", n -> salesforceId("005", 1 + n % 4)),
        // The product's account ids (the event generator's acct-0..4, then the billing database's).
        column("insighthub_account_id", n -> n <= 5 ? "acct-" + (n - 1) : String.valueOf(n)),
        column("billing_contact_email", n -> "billing" + n + "@account" + n + ".example"),
        column("billing_contact_phone", n -> String.format(Locale.ROOT, "+1-555-01%02d", n)),
        column("is_deleted", n -> n == ACCOUNTS ? "true" : "false"),
        column("created_date", n -> exported.minusSeconds(86_400L * (120 - n))),
        column(
            "last_modified_date",
            n ->
                (n + day.getDayOfYear()) % 8 == 0
                    ? exported.minusSeconds(3_600L * (1 + n % 5))
                    : exported.minusSeconds(86_400L * (30 + n))));
  }

  /**
   * One day's settlement file: charges net of the processor's fee, a few refunds (negative amounts)
   * and adjustments, some still pending.
   */
  static void parquet(BatchSource source, LocalDate day, Path file) {
    String amount = "CASE WHEN kind = 'refund' THEN -base ELSE base END";
    String fee = "CASE WHEN kind = 'charge' THEN 30 + base * 29 // 1000 ELSE 0 END";
    Map<String, String> expressions =
        Map.ofEntries(
            Map.entry(
                "transaction_id",
                "'txn_' || strftime(d, '%Y%m%d') || '_' || lpad(CAST(i AS VARCHAR), 4, '0')"),
            Map.entry("payout_id", "'po_' || strftime(d, '%Y%m%d')"),
            Map.entry("invoice_id", "CAST(1 + i % 100 AS VARCHAR)"),
            Map.entry("account_id", "CAST(1 + i % 100 AS VARCHAR)"),
            Map.entry("type", "kind"),
            Map.entry("currency", "CASE WHEN i % 10 = 3 THEN 'EUR' ELSE 'USD' END"),
            Map.entry("amount_cents", amount),
            Map.entry("fee_cents", fee),
            Map.entry("net_cents", "(" + amount + ") - (" + fee + ")"),
            Map.entry("status", "CASE WHEN i % 25 = 4 THEN 'pending' ELSE 'settled' END"),
            Map.entry(
                "created_at",
                "CAST(d AS TIMESTAMPTZ) - INTERVAL 1 DAY + to_minutes(CAST(i * 17 AS BIGINT))"),
            Map.entry(
                "settled_at",
                "CASE WHEN i % 25 = 4 THEN NULL ELSE CAST(d AS TIMESTAMPTZ) + INTERVAL 2 HOUR END"));
    String columns =
        source.fields().stream()
            .map(
                f ->
                    expressions.getOrDefault(f.name(), "CAST(NULL AS " + sqlType(f.type()) + ")")
                        + " AS \""
                        + f.name()
                        + "\"")
            .collect(Collectors.joining(",\n  "));
    String sql =
        "COPY (SELECT\n  "
            + columns
            + "\nFROM (SELECT i, DATE '"
            + day
            + "' AS d, CAST(1000 + (i * 7919) % 90000 AS BIGINT) AS base,"
            + " CASE WHEN i % 20 = 7 THEN 'refund' WHEN i % 30 = 11 THEN 'adjustment'"
            + " ELSE 'charge' END AS kind FROM range("
            + SETTLEMENTS_PER_DAY
            + ") r(i))) TO '"
            + file.toString().replace("'", "''")
            + "' (FORMAT parquet)";
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = duckdb.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static Map.Entry<String, Function<Integer, Object>> column(
      String name, Function<Integer, Object> value) {
    return Map.entry(name, value);
  }

  private static String sqlType(String type) {
    return switch (type) {
      case "integer" -> "BIGINT";
      case "number" -> "DOUBLE";
      case "boolean" -> "BOOLEAN";
      case "timestamp" -> "TIMESTAMPTZ";
      default -> "VARCHAR";
    };
  }

  private static String salesforceId(String prefix, int n) {
    return prefix + String.format(Locale.ROOT, "Hs%013d", n);
  }

  private static String quote(String value) {
    return "\"" + value.replace("\"", "\"\"") + "\"";
  }

  private static void collectBuckets(JsonNode node, TreeSet<String> buckets) {
    if (node.isTextual() && node.asText().startsWith("s3://")) {
      buckets.add(URI.create(node.asText()).getHost());
    }
    node.forEach(child -> collectBuckets(child, buckets));
  }

  private static List<JsonNode> documents(Path samples, List<String> files) {
    List<JsonNode> docs = new ArrayList<>();
    for (String file : files) {
      try (MappingIterator<JsonNode> it =
          YAML.readerFor(JsonNode.class).readValues(samples.resolve(file).toFile())) {
        while (it.hasNext()) {
          JsonNode doc = it.next();
          if (doc != null && !doc.isNull() && !doc.isEmpty()) {
            docs.add(doc);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read samples/" + file, e);
      }
    }
    return docs;
  }
}
