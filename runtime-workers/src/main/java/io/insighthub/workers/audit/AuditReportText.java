package io.insighthub.workers.audit;

import io.insighthub.workers.warehouse.WarehouseLifecycle;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@link AuditEvidence} as plain-text tables, one section per kind of evidence. */
final class AuditReportText {
  private AuditReportText() {}

  static String render(AuditEvidence evidence) {
    StringBuilder out = new StringBuilder();
    out.append("Audit report for Pipeline ").append(evidence.pipeline()).append('\n');
    out.append("Period: ")
        .append(time(evidence.from()))
        .append(" to ")
        .append(time(evidence.to()))
        .append(" (end exclusive); generated ")
        .append(time(evidence.generatedAt()))
        .append("\n\n");

    AuditEvidence.RawPii pii = evidence.rawPii();
    heading(
        out,
        "Oldest raw PII per layer"
            + (pii.runId() == null
                ? ""
                : " (as pii-purge run " + pii.runId() + " left it, " + time(pii.asOf()) + ")"));
    note(out, pii.note());
    if (!pii.layers().isEmpty()) {
      List<List<String>> rows = new ArrayList<>();
      for (AuditEvidence.LayerAge layer : pii.layers()) {
        rows.add(
            List.of(
                layer.layer(),
                layer.location(),
                layer.oldest() == null ? "none" : time(layer.oldest()),
                layer.ageDays() == null ? "-" : layer.ageDays() + "d",
                layer.limitDays() + "d",
                layer.within() ? "yes" : "NO"));
      }
      table(out, List.of("LAYER", "LOCATION", "OLDEST", "AGE", "LIMIT", "WITHIN"), rows);
    }

    heading(out, "pii-purge runs (" + evidence.purgeRuns().size() + ")");
    if (evidence.purgeRuns().isEmpty()) {
      note(out, "none in the period");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (AuditEvidence.PurgeRun run : evidence.purgeRuns()) {
        rows.add(
            List.of(
                run.runId(),
                time(run.startedAt()),
                time(run.finishedAt()),
                text(run.outcome()),
                text(run.summary())));
      }
      table(out, List.of("RUN", "STARTED", "FINISHED", "OUTCOME", "SUMMARY"), rows);
    }

    heading(out, "Purges, deletions and other audited actions (OPS.AUDIT)");
    if (evidence.actions().isEmpty()) {
      note(out, "none in the period");
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (AuditEvidence.Action a : evidence.actions()) {
        rows.add(
            List.of(
                a.runId(),
                a.layer(),
                a.action(),
                a.outcome(),
                count(a.objects()),
                count(a.rows()),
                count(a.bytes()),
                time(a.from()),
                time(a.to())));
      }
      table(
          out,
          List.of(
              "RUN", "LAYER", "ACTION", "OUTCOME", "OBJECTS", "ROWS", "BYTES", "DATA FROM", "TO"),
          rows);
    }

    for (AuditEvidence.Section section : evidence.evidence()) {
      heading(out, section.title() + " (" + section.table() + ")");
      note(out, section.note());
      if (section.groups().isEmpty()) {
        continue;
      }
      List<String> header = new ArrayList<>(section.columns());
      header.add("COUNT");
      if (section.sumColumn() != null) {
        header.add(section.sumColumn());
      }
      header.addAll(List.of("FIRST", "LAST"));
      List<List<String>> rows = new ArrayList<>();
      for (WarehouseLifecycle.Group group : section.groups()) {
        List<String> row = new ArrayList<>();
        group.keys().forEach(k -> row.add(text(k)));
        row.add(count(group.count()));
        if (section.sumColumn() != null) {
          row.add(count(group.sum()));
        }
        row.add(time(group.first()));
        row.add(time(group.last()));
        rows.add(row);
      }
      table(out, header, rows);
    }
    return out.toString();
  }

  private static void heading(StringBuilder out, String title) {
    out.append(title).append('\n').append("-".repeat(title.length())).append('\n');
  }

  private static void note(StringBuilder out, String note) {
    if (note != null) {
      out.append(note).append("\n\n");
    }
  }

  /** Columns padded to their widest cell, numbers right-aligned. */
  static void table(StringBuilder out, List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    boolean[] numeric = new boolean[header.size()];
    for (int i = 0; i < header.size(); i++) {
      widths[i] = header.get(i).length();
      numeric[i] = !rows.isEmpty();
    }
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
        numeric[i] &= row.get(i).matches("[0-9,]+");
      }
    }
    line(out, header, widths, new boolean[header.size()]);
    for (List<String> row : rows) {
      line(out, row, widths, numeric);
    }
    out.append('\n');
  }

  private static void line(StringBuilder out, List<String> cells, int[] widths, boolean[] right) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      String pad = " ".repeat(widths[i] - cell.length());
      line.append(right[i] ? pad + cell : cell + pad);
      if (i < cells.size() - 1) {
        line.append("  ");
      }
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }

  private static String time(Instant at) {
    return at == null ? "-" : at.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String text(String value) {
    return value == null ? "-" : value;
  }
}
