package io.insighthub.workers.audit;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options of {@code worker audit-report}, filled in by picocli. */
final class AuditReportOptions {
  /** How the report is printed. */
  enum Format {
    table,
    json
  }

  @Option(
      names = "--pipeline",
      required = true,
      paramLabel = "NAME",
      description =
          "the Pipeline to report on, <name> or <namespace>/<name>; must be the one the"
              + " configuration (--config) belongs to")
  String pipeline;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "TIME",
      converter = InstantConverter.class,
      description = "start of the period, inclusive, RFC 3339, e.g. 2026-10-01T00:00:00Z")
  Instant from;

  @Option(
      names = "--to",
      paramLabel = "TIME",
      converter = InstantConverter.class,
      description = "end of the period, exclusive, RFC 3339 (default: now)")
  Instant to;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "table (readable) or json (every audit row, for tools) (default: table)")
  Format format = Format.table;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "write the report to FILE instead of standard output")
  Path output;

  /** An RFC 3339 instant with a zone, e.g. 2026-11-20T10:00:00Z. */
  static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String text) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'" + text + "' is not an RFC 3339 time such as 2026-11-20T10:00:00Z");
      }
    }
  }
}
