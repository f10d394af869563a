package io.insighthub.operator.freshness;

import io.insighthub.crds.v1alpha1.TableFreshness;
import io.insighthub.crds.worker.Watermark;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns the latest watermark of each of a Pipeline's tables into {@code status.freshness} and the
 * FreshnessSLAMet condition. A table is fresh when its newest loaded event, or the instant it is
 * proven complete as of (a CDC table with no change since, {@link Watermark#caughtUpTo()}), is
 * younger than its SLA and its loader has reported within the SLA. A table that has never reported
 * is awaited for one SLA after the Pipeline started to be expected to load, then counts as missing.
 */
public final class FreshnessEvaluator {
  public static final String REASON_WITHIN_SLA = "WithinSla";
  public static final String REASON_LAG_EXCEEDS_SLA = "LagExceedsSla";
  public static final String REASON_LOADER_STALLED = "LoaderStalled";
  public static final String REASON_NO_WATERMARK = "NoWatermark";
  public static final String REASON_AWAITING_FIRST_LOAD = "AwaitingFirstLoad";

  /** What decides a table's state, in order of severity for the condition's reason. */
  private enum State {
    NO_WATERMARK(REASON_NO_WATERMARK),
    LOADER_STALLED(REASON_LOADER_STALLED),
    LAG_EXCEEDS_SLA(REASON_LAG_EXCEEDS_SLA),
    AWAITING(REASON_AWAITING_FIRST_LOAD),
    FRESH(REASON_WITHIN_SLA);

    final String reason;

    State(String reason) {
      this.reason = reason;
    }
  }

  private record Table(TableFreshness status, State state, String message) {}

  private FreshnessEvaluator() {}

  /**
   * Evaluates the tables a Pipeline loads.
   *
   * @param slas each expected table (SCHEMA.TABLE) and its SLA
   * @param latest the latest watermark per table, as far as known
   * @param since when the Pipeline started to be expected to load (its creation, or its resume)
   * @param now the instant of evaluation
   */
  public static FreshnessReport evaluate(
      Map<String, Duration> slas, Map<String, Watermark> latest, Instant since, Instant now) {
    List<Table> tables =
        slas.keySet().stream()
            .sorted()
            .map(t -> table(t, slas.get(t), latest.get(t), since, now))
            .toList();
    List<TableFreshness> statuses = tables.stream().map(Table::status).toList();
    if (tables.isEmpty()) {
      return new FreshnessReport(
          statuses, "Unknown", REASON_AWAITING_FIRST_LOAD, "no tables to track yet", null, null);
    }
    State worstState =
        tables.stream().map(Table::state).min(Comparator.naturalOrder()).orElseThrow();
    Table stalest =
        tables.stream()
            .filter(t -> t.status().lagSeconds != null)
            .max(Comparator.comparingDouble(FreshnessEvaluator::lagRatio))
            .orElse(null);
    String worstLag =
        stalest == null ? null : human(Duration.ofSeconds(stalest.status().lagSeconds));
    String sla =
        human(
            Duration.ofSeconds(
                stalest != null
                    ? stalest.status().slaSeconds
                    : tables.stream().mapToLong(t -> t.status().slaSeconds).min().orElseThrow()));
    return switch (worstState) {
      case FRESH ->
          new FreshnessReport(
              statuses,
              "True",
              REASON_WITHIN_SLA,
              stalest.message()
                  + (tables.size() > 1 ? " (stalest of " + tables.size() + " tables)" : ""),
              worstLag,
              sla);
      case AWAITING ->
          new FreshnessReport(
              statuses,
              "Unknown",
              REASON_AWAITING_FIRST_LOAD,
              "waiting for the first load of " + messages(tables, State.AWAITING),
              worstLag,
              sla);
      default ->
          new FreshnessReport(
              statuses,
              "False",
              worstState.reason,
              tables.stream()
                  .filter(t -> t.state().compareTo(State.AWAITING) < 0)
                  .map(Table::message)
                  .collect(Collectors.joining("; ")),
              worstLag,
              sla);
    };
  }

  private static Table table(
      String name, Duration sla, Watermark mark, Instant since, Instant now) {
    TableFreshness status = new TableFreshness();
    status.table = name;
    status.slaSeconds = sla.toSeconds();
    if (mark == null) {
      boolean overdue = Duration.between(since, now).compareTo(sla) > 0;
      return overdue
          ? new Table(
              status,
              State.NO_WATERMARK,
              name
                  + ": no load reported within SLA "
                  + human(sla)
                  + " (loader stalled or connector down)")
          : new Table(status, State.AWAITING, name);
    }
    Duration lag = nonNegative(Duration.between(freshAsOf(mark), now));
    Duration sinceLoad = nonNegative(Duration.between(mark.loadTime(), now));
    status.maxEventTime = mark.maxEventTime() != null ? mark.maxEventTime().toString() : null;
    status.completeAsOf = mark.caughtUpTo() != null ? mark.caughtUpTo().toString() : null;
    status.lastLoadTime = mark.loadTime().toString();
    status.lagSeconds = lag.toSeconds();
    status.rowsLastInterval = mark.rows();
    status.withinSla = lag.compareTo(sla) <= 0 && sinceLoad.compareTo(sla) <= 0;
    if (sinceLoad.compareTo(sla) > 0) {
      return new Table(
          status,
          State.LOADER_STALLED,
          name + ": last load " + human(sinceLoad) + " ago, beyond SLA " + human(sla));
    }
    if (lag.compareTo(sla) > 0) {
      return new Table(
          status,
          State.LAG_EXCEEDS_SLA,
          name + ": lag " + human(lag) + " exceeds SLA " + human(sla));
    }
    return new Table(
        status, State.FRESH, name + ": lag " + human(lag) + " within SLA " + human(sla));
  }

  /**
   * The first instant after {@code now} at which the verdict on these tables changes if no new
   * watermark arrives (a load or an event growing older than its SLA, or a table still awaited
   * running out of time); empty when no such instant is ahead.
   */
  public static Optional<Instant> nextChange(
      Map<String, Duration> slas, Map<String, Watermark> latest, Instant since, Instant now) {
    return slas.entrySet().stream()
        .flatMap(
            e -> {
              Watermark mark = latest.get(e.getKey());
              Duration sla = e.getValue();
              return mark == null
                  ? Stream.of(since.plus(sla))
                  : Stream.of(mark.loadTime().plus(sla), freshAsOf(mark).plus(sla));
            })
        .filter(deadline -> deadline.isAfter(now))
        .min(Comparator.naturalOrder());
  }

  /**
   * The instant a table's lag is counted from: the newer of its newest loaded event and the instant
   * it is proven complete as of; a loader that could tell neither (no event-time field) is judged
   * by its load time.
   */
  static Instant freshAsOf(Watermark mark) {
    Instant complete = mark.completeAsOf();
    return complete != null ? complete : mark.loadTime();
  }

  private static String messages(List<Table> tables, State state) {
    return tables.stream()
        .filter(t -> t.state() == state)
        .map(Table::message)
        .collect(Collectors.joining(", "));
  }

  private static double lagRatio(Table table) {
    return table.status().lagSeconds / (double) Math.max(1, table.status().slaSeconds);
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** 43s, 2m, 2m5s, 1h30m: the way the spec's durations are written. */
  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    return (h > 0 ? h + "h" : "") + (m > 0 ? m + "m" : "") + (sec > 0 && h == 0 ? sec + "s" : "");
  }
}
