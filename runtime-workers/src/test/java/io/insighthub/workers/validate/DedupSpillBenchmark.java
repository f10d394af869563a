package io.insighthub.workers.validate;

import io.insighthub.workers.testing.TestDirs;
import java.nio.file.Path;
import org.rocksdb.Cache;

/**
 * The dedup spill store on its own, no broker: spills {@code -Dbench.spillIds} ids (default 5
 * million) in buckets of one window through {@link SeenIds}, as validate does over its memory
 * budget, then prints the bytes per id on disk (after a flush and a full compaction), the spill
 * rate, and the time of lookups of new ids (the Bloom filters' case) and of spilled ids. Not a
 * test: run with {@code ./build -pl runtime-workers -am test-compile -Pbenchmark
 * -Dbench.main=io.insighthub.workers.validate.DedupSpillBenchmark}, see BENCHMARKS.md.
 */
public final class DedupSpillBenchmark {
  private static final long WINDOW = 3_600_000;
  private static final int BUCKETS = 5;

  public static void main(String[] args) throws Exception {
    int ids = Integer.getInteger("bench.spillIds", 5_000_000);
    int lookups = Integer.getInteger("bench.spillLookups", 1_000_000);
    int perBucket = ids / BUCKETS;
    long start = Math.floorDiv(1_795_000_000_000L, WINDOW) * WINDOW;
    Path dir = TestDirs.fresh("dedup-spill-benchmark");
    long[] hash = new long[2];
    try (Cache cache = DedupSpill.cache();
        DedupSpill spill = DedupSpill.open(dir.resolve("spill"), cache)) {
      SeenIds seen = new SeenIds(WINDOW, 10 * WINDOW, spill, 0);
      // Room in memory for one bucket: each new bucket spills the one before.
      seen.budget(perBucket, Long.MAX_VALUE);
      long spillNanos = 0;
      long began = System.nanoTime();
      for (int i = 0; i < ids; i++) {
        SeenIds.hash("id-" + i, hash);
        seen.accept(hash[0], hash[1], time(start, i, perBucket));
        if ((i & 16_383) == 16_383) {
          long before = System.nanoTime();
          seen.trim();
          spillNanos += System.nanoTime() - before;
        }
      }
      long before = System.nanoTime();
      seen.trim();
      spillNanos += System.nanoTime() - before;
      seen.drainPending();
      double total = (System.nanoTime() - began) / 1e9;
      long spilled = seen.spilledSize();
      System.out.printf(
          "accepted %,d ids in %.1f s; %,d spilled in %d buckets, %,d in memory; spilling took"
              + " %.1f s (%,.0f ids/s)%n",
          ids,
          total,
          spilled,
          seen.spilledBuckets(),
          seen.size(),
          spillNanos / 1e9,
          spilled / (spillNanos / 1e9));

      lookups(seen, start, perBucket, lookups, "as written");
      long bytes = spill.compactedBytes();
      System.out.printf(
          "store after flush and compaction: %,d bytes for %,d ids: %.1f bytes per id%n",
          bytes, spilled, bytes / (double) spilled);
      lookups(seen, start, perBucket, lookups, "compacted");
      reset(spill, start, perBucket, ids);
      // An id ten windows later: every spilled bucket is out of reach and deleted.
      SeenIds.hash("later", hash);
      seen.accept(hash[0], hash[1], start + 20 * WINDOW);
      System.out.printf(
          "after every spilled bucket expired: %d spilled ids, %,d bytes of live table files%n",
          seen.spilledSize(), spill.liveBytes());
    }
  }

  /**
   * Spills the same ids for a second partition, then times its reset (the partition revoked or
   * assigned in a rebalance: its table files dropped, its range deleted and compacted), which runs
   * on the loop's thread inside the rebalance callback.
   */
  private static void reset(DedupSpill spill, long start, int perBucket, int ids) throws Exception {
    long[] hash = new long[2];
    SeenIds other = new SeenIds(WINDOW, 10 * WINDOW, spill, 1);
    other.budget(perBucket, Long.MAX_VALUE);
    for (int i = 0; i < ids; i++) {
      SeenIds.hash("other-" + i, hash);
      other.accept(hash[0], hash[1], time(start, i, perBucket));
      if ((i & 16_383) == 16_383) {
        other.trim();
      }
    }
    other.trim();
    other.drainPending();
    long spilled = other.spilledSize();
    long liveBefore = spill.liveBytes();
    long before = System.nanoTime();
    spill.deletePartition(1);
    double millis = (System.nanoTime() - before) / 1e6;
    System.out.printf(
        "reset of a partition with %,d spilled ids: %.1f ms; live table files %,d -> %,d bytes%n",
        spilled, millis, liveBefore, spill.liveBytes());
  }

  /**
   * Times lookups of new ids in the second bucket (each reads the spilled buckets 0-2 within
   * reach), then of spilled ids, twice (the first pass warms up).
   */
  private static void lookups(SeenIds seen, long start, int perBucket, int lookups, String when) {
    long[] hash = new long[2];
    long t = start + WINDOW + WINDOW / 2;
    for (int pass = 0; pass < 2; pass++) {
      long found = 0;
      long lookStart = System.nanoTime();
      for (int j = 0; j < lookups; j++) {
        SeenIds.hash("new-" + when + pass + "-" + j, hash);
        found += seen.contains(hash[0], hash[1], t) ? 1 : 0;
      }
      double newNanos = (System.nanoTime() - lookStart) / (double) lookups;
      long present = 0;
      lookStart = System.nanoTime();
      for (int j = 0; j < lookups; j++) {
        int i = perBucket + (int) ((j * 7_919L) % perBucket); // ids of the second bucket
        SeenIds.hash("id-" + i, hash);
        present += seen.contains(hash[0], hash[1], time(start, i, perBucket)) ? 1 : 0;
      }
      double seenNanos = (System.nanoTime() - lookStart) / (double) lookups;
      System.out.printf(
          "%s, pass %d: %,d lookups of new ids, %.2f µs each (%d false hits); %,d of spilled"
              + " ids, %.2f µs each (%,d found)%n",
          when, pass, lookups, newNanos / 1e3, found, lookups, seenNanos / 1e3, present);
    }
  }

  private static long time(long start, int i, int perBucket) {
    return start + (i / perBucket) * WINDOW + (i % perBucket) * (WINDOW / perBucket);
  }

  private DedupSpillBenchmark() {}
}
