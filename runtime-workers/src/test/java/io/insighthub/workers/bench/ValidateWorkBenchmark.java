package io.insighthub.workers.bench;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.testing.BenchmarkEvents;
import io.insighthub.workers.validate.BenchmarkConfigs;
import io.insighthub.workers.validate.CompactReaderHarness;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Validate's own per-event work on the common event, in process, without a broker: the compact
 * reader (schema checks, PII hash/drop/mask, minimized bytes, key, event id and time) over the
 * benchmark's pre-generated events, timed over several passes after a warm-up, with the bytes the
 * reading thread allocates per event. Every event must take the fast path. Not a test: run with
 * {@code ./build -pl runtime-workers -am test-compile -Pbenchmark
 * -Dbench.main=io.insighthub.workers.bench.ValidateWorkBenchmark}, see BENCHMARKS.md.
 */
public final class ValidateWorkBenchmark {
  public static void main(String[] args) throws Exception {
    int events = Integer.getInteger("bench.workEvents", 200_000);
    int warmups = Integer.getInteger("bench.workWarmups", 5);
    int passes = Integer.getInteger("bench.workPasses", 10);
    int threads = Integer.getInteger("bench.workThreads", 1);
    // Event times as RFC 3339 text instead of epoch milliseconds.
    boolean isoTime = Boolean.getBoolean("bench.workIsoTime");
    Path key = Files.createTempFile("validate-work", ".key");
    try {
      Files.writeString(key, "bench-key");
      WorkerConfig config =
          BenchmarkConfigs.validate("localhost:9092", "bench", SchemaDriftCheck.Policy.EVOLVE, key);
      byte[][] input = new byte[events][];
      long inputBytes = 0;
      for (int i = 0; i < events; i++) {
        input[i] = BenchmarkEvents.raw(i, isoTime);
        inputBytes += input[i].length;
      }
      System.out.printf(
          "validate work: %,d events of ~%d bytes (%s times), %d warm-up and %d timed passes, %d"
              + " thread(s); load average %s%n",
          events,
          inputBytes / events,
          isoTime ? "RFC 3339" : "epoch ms",
          warmups,
          passes,
          threads,
          loadAverage());
      List<Worker> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(new Worker(new CompactReaderHarness(config), input, t, threads));
      }
      for (int pass = 0; pass < warmups + passes; pass++) {
        boolean timed = pass >= warmups;
        long started = System.nanoTime();
        List<Thread> running = new ArrayList<>();
        for (Worker worker : workers) {
          Thread thread = new Thread(worker, "validate-work-" + running.size());
          running.add(thread);
          thread.start();
        }
        for (Thread thread : running) {
          thread.join();
        }
        long wall = System.nanoTime() - started;
        double cpuNs = 0;
        double allocated = 0;
        for (Worker worker : workers) {
          if (worker.failure != null) {
            throw new IllegalStateException("pass " + pass, worker.failure);
          }
          cpuNs += worker.cpuNanos;
          allocated += worker.allocatedBytes;
        }
        System.out.printf(
            "%s %2d: %7.0f ns/event CPU, %6.0f ns/event wall (%,.0f events/s), %6.0f bytes"
                + " allocated/event; load average %s%n",
            timed ? "pass  " : "warmup",
            timed ? pass - warmups + 1 : pass + 1,
            cpuNs / events,
            (double) wall / events,
            events * 1e9 / wall,
            allocated / events,
            loadAverage());
        if (timed) {
          for (Worker worker : workers) {
            worker.record();
          }
        }
      }
      double[] ns = new double[passes];
      double[] bytes = new double[passes];
      for (int p = 0; p < passes; p++) {
        for (Worker worker : workers) {
          ns[p] += worker.passNanos.get(p);
          bytes[p] += worker.passBytes.get(p);
        }
        ns[p] /= events;
        bytes[p] /= events;
      }
      Arrays.sort(ns);
      Arrays.sort(bytes);
      System.out.printf(
          "validate work: median %.0f ns/event CPU (best %.0f, worst %.0f), median %.0f bytes"
              + " allocated/event; every event took the fast path; load average %s%n",
          ns[passes / 2], ns[0], ns[passes - 1], bytes[passes / 2], loadAverage());
    } finally {
      Files.deleteIfExists(key);
    }
  }

  /** One thread's share of the events (every threads-th one), with its own reader. */
  private static final class Worker implements Runnable {
    private final CompactReaderHarness reader;
    private final byte[][] input;
    private final int first;
    private final int step;
    final List<Long> passNanos = new ArrayList<>();
    final List<Long> passBytes = new ArrayList<>();
    long cpuNanos;
    long allocatedBytes;
    long sink;
    Throwable failure;

    Worker(CompactReaderHarness reader, byte[][] input, int first, int step) {
      this.reader = reader;
      this.input = input;
      this.first = first;
      this.step = step;
    }

    @Override
    public void run() {
      var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long id = Thread.currentThread().threadId();
      try {
        long allocatedBefore = mx.getThreadAllocatedBytes(id);
        long cpuBefore = mx.getCurrentThreadCpuTime();
        long sum = 0;
        for (int i = first; i < input.length; i += step) {
          sum += reader.read(input[i]);
        }
        cpuNanos = mx.getCurrentThreadCpuTime() - cpuBefore;
        allocatedBytes = mx.getThreadAllocatedBytes(id) - allocatedBefore;
        sink += sum;
      } catch (RuntimeException e) {
        failure = e;
      }
    }

    void record() {
      passNanos.add(cpuNanos);
      passBytes.add(allocatedBytes);
    }
  }

  private static String loadAverage() throws java.io.IOException {
    String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return parts[0] + " " + parts[1] + " " + parts[2];
  }
}
