package io.insighthub.workers.testing;

import io.insighthub.e2e.kafka.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time used by this JVM and by the broker process between {@link #start} and {@link #mark} (or
 * now), for benchmarks, with each process's share by group of threads named alike (digits replaced
 * by #; JIT compilers and GC included), read from {@code /proc/<pid>/task} on Linux. Threads that
 * end before the mark are missing from the groups, so {@link #mark} while a stage's threads still
 * run.
 */
public final class CpuUse {
  /** Clock ticks per second of {@code /proc/.../stat}; 100 on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100;

  private final KafkaBroker broker;
  private Snapshot from;
  private Snapshot to;

  public CpuUse(KafkaBroker broker) {
    this.broker = broker;
  }

  public CpuUse start() {
    from = snapshot();
    to = null;
    return this;
  }

  /** Ends the measured span now (before a stage's threads end); later calls move the end. */
  public CpuUse mark() {
    to = snapshot();
    return this;
  }

  /**
   * e.g. "CPU per event: this JVM 12.1 us, broker 3.4 us", then a line per process with its groups
   * of threads, largest first (groups under 0.05 us per event are left out).
   */
  public String perEvent(long events) {
    Snapshot end = to == null ? snapshot() : to;
    double jvmUs = end.jvm.minus(from.jvm).toNanos() / 1e3 / events;
    double brokerUs = end.broker.minus(from.broker).toNanos() / 1e3 / events;
    return String.format(
        "CPU per event: this JVM %.1f us, broker %.1f us%n    this JVM: %s%n    broker: %s",
        jvmUs,
        brokerUs,
        groups(from.jvmThreads, end.jvmThreads, events),
        groups(from.brokerThreads, end.brokerThreads, events));
  }

  private static String groups(Map<String, Long> from, Map<String, Long> to, long events) {
    Map<String, Long> byGroup = new TreeMap<>();
    to.forEach(
        (thread, nanos) ->
            byGroup.merge(
                thread.substring(thread.indexOf(' ') + 1).replaceAll("[0-9]+", "#"),
                nanos - from.getOrDefault(thread, 0L),
                Long::sum));
    StringBuilder out = new StringBuilder();
    byGroup.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            group -> {
              double us = group.getValue() / 1e3 / events;
              if (us >= 0.05) {
                out.append(out.isEmpty() ? "" : ", ")
                    .append(String.format("%s %.2f us", group.getKey(), us));
              }
            });
    return out.toString();
  }

  private record Snapshot(
      Duration jvm,
      Duration broker,
      Map<String, Long> jvmThreads,
      Map<String, Long> brokerThreads) {}

  private Snapshot snapshot() {
    return new Snapshot(
        ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO),
        broker.cpuTime(),
        threads(ProcessHandle.current().pid()),
        threads(broker.pid()));
  }

  /**
   * CPU of each live thread of process {@code pid}, keyed "tid name" (the name as Linux keeps it:
   * its first 15 characters, {@code java} for the main thread).
   */
  private static Map<String, Long> threads(long pid) {
    Map<String, Long> nanos = new HashMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    if (!Files.isDirectory(tasks)) {
      return nanos;
    }
    try (Stream<Path> threads = Files.list(tasks)) {
      threads.forEach(
          thread -> {
            try {
              String stat = Files.readString(thread.resolve("stat"), StandardCharsets.UTF_8);
              int close = stat.lastIndexOf(')');
              String name = stat.substring(stat.indexOf('(') + 1, close);
              String[] fields = stat.substring(close + 2).split(" ");
              // after the name: state(0) ... utime(11) stime(12)
              long used =
                  (long)
                      ((Long.parseLong(fields[11]) + Long.parseLong(fields[12]))
                          / TICKS_PER_SECOND
                          * 1e9);
              nanos.put(thread.getFileName() + " " + name, used);
            } catch (IOException | RuntimeException gone) {
              // the thread ended while being read
            }
          });
    } catch (IOException e) {
      return nanos;
    }
    return nanos;
  }
}
