package io.insighthub.workers.validate;

import static io.insighthub.workers.validate.SeenIdsTest.accept;
import static io.insighthub.workers.validate.SeenIdsTest.contains;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Cache;

/** {@link SeenIds} spilling to a real RocksDB store in a temporary directory. */
class DedupSpillTest {
  private static final long MINUTE = 60_000;
  private static final long WINDOW = 10 * MINUTE;
  private static final long LATENESS = 60 * MINUTE;

  /** A bucket's first millisecond: ids i at START + i minutes fill buckets of ten. */
  private static final long START = Math.floorDiv(1_795_000_000_000L, WINDOW) * WINDOW;

  private static final long BUCKET0 = START / WINDOW;

  @TempDir Path dir;
  private Cache cache;
  private DedupSpill spill;
  private final long[] hash = new long[2];

  @BeforeEach
  void open() throws Exception {
    cache = DedupSpill.cache();
    spill = DedupSpill.open(dir.resolve("spill"), cache);
  }

  @AfterEach
  void close() {
    spill.close();
    cache.close();
  }

  @Test
  void idsOfSpilledBucketsAreFoundWithinTheWindowAndNotBeyondIt() {
    SeenIds seen = thirtyIds(0, 10, Long.MAX_VALUE);
    assertThat(seen.trim()).isZero();
    assertThat(seen.size()).isEqualTo(10);
    assertThat(seen.spilledSize()).isEqualTo(20);
    assertThat(seen.spilledBuckets()).isEqualTo(2);
    assertThat(spill.keys(0, BUCKET0)).isEqualTo(10);
    assertThat(spill.keys(0, BUCKET0 + 1)).isEqualTo(10);
    assertThat(spill.keys(0, BUCKET0 + 2)).isZero(); // the newest bucket stays in memory

    long e5 = START + 5 * MINUTE;
    assertThat(contains(seen, "e5", e5)).isTrue();
    assertThat(contains(seen, "e5", e5 + WINDOW)).isTrue();
    assertThat(contains(seen, "e5", e5 - WINDOW)).isTrue();
    assertThat(contains(seen, "e5", e5 + WINDOW + 1)).isFalse();
    assertThat(contains(seen, "e5", e5 - WINDOW - 1)).isFalse();
    assertThat(contains(seen, "e15", START + 15 * MINUTE)).isTrue();
    assertThat(contains(seen, "e25", START + 25 * MINUTE)).isTrue();
    assertThat(contains(seen, "new", e5)).isFalse();
    // A new id in a spilled bucket goes to memory beside it; both are looked up.
    accept(seen, "e5b", e5 + 1);
    assertThat(contains(seen, "e5b", e5)).isTrue();
    assertThat(contains(seen, "e5", e5)).isTrue();
  }

  @Test
  void aLargeBucketIsSpilledWholeAndEveryIdIsFound() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS, spill, 0);
    seen.budget(1, Long.MAX_VALUE);
    for (int i = 0; i < 50_000; i++) {
      accept(seen, "big-" + i, START + i % WINDOW);
    }
    accept(seen, "next", START + WINDOW);
    assertThat(seen.trim()).isZero();
    assertThat(seen.spilledSize()).isEqualTo(50_000);
    assertThat(spill.keys(0, BUCKET0)).isEqualTo(50_000);
    for (int i = 0; i < 50_000; i++) {
      assertThat(contains(seen, "big-" + i, START + i % WINDOW)).isTrue();
    }
    int falseHits = 0;
    for (int i = 0; i < 50_000; i++) {
      falseHits += contains(seen, "other-" + i, START + i % WINDOW) ? 1 : 0;
    }
    assertThat(falseHits).isZero();
  }

  @Test
  void theFiltersOfSpilledIdsCountInTheMemoryBudget() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS, spill, 0);
    seen.budget(4_850, Long.MAX_VALUE);
    for (int i = 0; i < 4 * 2_400; i++) { // four buckets of 2,400 ids
      accept(seen, "e" + i, START + i * (WINDOW / 2_400));
    }
    assertThat(seen.trim()).isZero();
    // Two buckets spilled leave 4,800 ids in memory, within 4,850, but their filters count as
    // 4,800 / 48 = 100 more: a third bucket goes to disk.
    assertThat(seen.spilledBuckets()).isEqualTo(3);
    assertThat(seen.size()).isEqualTo(2_400);
  }

  @Test
  void aSpilledBucketOutOfReachIsDeletedFromTheStore() {
    SeenIds seen = thirtyIds(0, 10, Long.MAX_VALUE);
    seen.trim();
    assertThat(contains(seen, "e5", START + 5 * MINUTE)).isTrue();
    // Lookups now start at newest - lateness - window = START + 3 windows: buckets 0-2 expire.
    accept(seen, "y", START + LATENESS + 4 * WINDOW);
    assertThat(seen.spilledSize()).isZero();
    assertThat(seen.spilledBuckets()).isZero();
    assertThat(spill.keys(0, BUCKET0)).isZero();
    assertThat(spill.keys(0, BUCKET0 + 1)).isZero();
    assertThat(contains(seen, "e5", START + 5 * MINUTE)).isFalse();
    assertThat(contains(seen, "e15", START + 15 * MINUTE)).isFalse();
    assertThat(seen.trim()).isZero(); // expiry is not forgetting
  }

  @Test
  void overTheDiskBudgetTheOldestSpilledBucketsAreForgottenAndCounted() {
    SeenIds seen = thirtyIds(0, 10, 15);
    // Bucket 0 spills; bucket 1 needs its room: bucket 0 is forgotten.
    assertThat(seen.trim()).isEqualTo(10);
    assertThat(seen.spilledSize()).isEqualTo(10);
    assertThat(spill.keys(0, BUCKET0)).isZero();
    assertThat(spill.keys(0, BUCKET0 + 1)).isEqualTo(10);
    assertThat(contains(seen, "e5", START + 5 * MINUTE)).isFalse();
    assertThat(contains(seen, "e15", START + 15 * MINUTE)).isTrue();
    // A smaller share (another partition assigned) forgets the rest.
    seen.budget(10, 5);
    assertThat(seen.trim()).isEqualTo(10);
    assertThat(spill.keys(0)).isZero();
    assertThat(contains(seen, "e15", START + 15 * MINUTE)).isFalse();
    assertThat(contains(seen, "e25", START + 25 * MINUTE)).isTrue();
  }

  @Test
  void forgottenBucketsFreeTheirDiskAtOnceAfterAPartitionsReset() throws Exception {
    // The reset at assignment leaves a range tombstone over the whole partition; ingesting a
    // bucket under it used to flush it to level 0 with the bucket's file, where deleting files
    // by range cannot reach, so forgotten buckets stayed on disk until a compaction.
    SeenIds seen = new SeenIds(WINDOW, LATENESS, spill, 0);
    int perBucket = 2_000;
    seen.budget(perBucket, perBucket + perBucket / 2); // one bucket in memory, one on disk
    long oneBucket = 0;
    long most = 0;
    for (int b = 0; b < 8; b++) {
      for (int i = 0; i < perBucket; i++) {
        accept(seen, "b" + b + "-" + i, START + b * WINDOW + i * (WINDOW / perBucket));
      }
      seen.trim();
      // Repeats of the spilled bucket's ids: reads from the store, as the stage's lookups do.
      for (int i = 0; i < 10 && b > 0; i++) {
        assertThat(contains(seen, "b" + (b - 1) + "-" + i, START + (b - 1) * WINDOW)).isTrue();
      }
      long live = sstBytes(dir.resolve("spill"));
      if (oneBucket == 0 && live > 0) {
        oneBucket = live;
      }
      most = Math.max(most, live);
    }
    assertThat(seen.spilledBuckets()).isEqualTo(1);
    assertThat(oneBucket).isPositive();
    assertThat(most)
        .as("table files in the store's directory, at most, against one bucket's")
        .isEqualTo(oneBucket);
  }

  @Test
  void aStoreTakesLittleDiskBeyondItsTableFiles() throws Exception {
    // RocksDB reserves 4 MiB for the MANIFEST by default (allocated, not in the file's length),
    // which a small stateStorage volume counts against each validate thread.
    SeenIds seen = new SeenIds(WINDOW, LATENESS, spill, 0);
    seen.budget(100, Long.MAX_VALUE);
    for (int i = 0; i < 200; i++) {
      accept(seen, "id-" + i, START + i * (WINDOW / 100));
    }
    seen.trim();
    assertThat(seen.spilledBuckets()).isEqualTo(1);
    long allocated = allocatedBytes(dir.resolve("spill"));
    assertThat(allocated)
        .as("disk allocated to the store's directory (du), against its table files")
        .isLessThan(sstBytes(dir.resolve("spill")) + (1 << 20));
  }

  /** Disk blocks allocated under {@code path}, as {@code du} (and the kubelet) counts them. */
  private static long allocatedBytes(Path path) throws Exception {
    Process du = new ProcessBuilder("du", "-s", "-B1", path.toString()).start();
    String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(du.waitFor()).as("du's exit code").isZero();
    return Long.parseLong(out.split("\\s+")[0]);
  }

  @Test
  void withoutADiskBudgetTheOldestBucketsAreForgottenAsBefore() {
    SeenIds seen = thirtyIds(0, 10, 0);
    assertThat(seen.trim()).isEqualTo(20);
    assertThat(spill.keys(0)).isZero();
    assertThat(contains(seen, "e5", START + 5 * MINUTE)).isFalse();
  }

  @Test
  void aPartitionsResetRemovesItsKeysAndOnlyItsKeys() {
    SeenIds first = thirtyIds(0, 10, Long.MAX_VALUE);
    first.trim();
    SeenIds other = thirtyIds(1, 10, Long.MAX_VALUE);
    other.trim();
    assertThat(spill.keys(0)).isEqualTo(20);
    assertThat(spill.keys(1)).isEqualTo(20);

    // Partition 0 is assigned again: its state is rebuilt from the log, here with other ids in
    // the same buckets, spilled again.
    SeenIds again = new SeenIds(WINDOW, LATENESS, spill, 0);
    assertThat(spill.keys(0)).isZero();
    assertThat(spill.keys(1)).isEqualTo(20);
    again.budget(10, Long.MAX_VALUE);
    for (int i = 0; i < 30; i++) {
      accept(again, "f" + i, START + i * MINUTE);
    }
    again.trim();
    assertThat(again.spilledSize()).isEqualTo(20);
    assertThat(contains(again, "f5", START + 5 * MINUTE)).isTrue();
    assertThat(contains(again, "e5", START + 5 * MINUTE)).isFalse();

    // Revoked: its keys go.
    other.release();
    assertThat(spill.keys(1)).isZero();
    assertThat(contains(other, "e5", START + 5 * MINUTE)).isFalse();
  }

  @Test
  void aStoreLeftByAnEarlierProcessIsNotRead() throws Exception {
    thirtyIds(0, 10, Long.MAX_VALUE).trim();
    assertThat(spill.keys(0)).isEqualTo(20);
    spill.close(); // a crash: nothing released

    spill = DedupSpill.open(dir.resolve("spill"), cache);
    assertThat(spill.keys(0)).isZero();
    SeenIds seen = new SeenIds(WINDOW, LATENESS, spill, 0);
    seen.budget(10, Long.MAX_VALUE);
    for (int i = 0; i < 30; i++) {
      accept(seen, "f" + i, START + i * MINUTE);
    }
    seen.trim();
    assertThat(seen.spilledBuckets()).isEqualTo(2);
    assertThat(contains(seen, "e5", START + 5 * MINUTE)).isFalse();
    assertThat(contains(seen, "f5", START + 5 * MINUTE)).isTrue();
  }

  @Test
  void aReplayOverTheBudgetSpillsAsItGoes() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS, spill, 0);
    seen.budget(10, Long.MAX_VALUE);
    long[] entries = new long[3 * 30];
    for (int i = 0; i < 30; i++) {
      SeenIds.hash("e" + i, hash);
      entries[3 * i] = hash[0];
      entries[3 * i + 1] = hash[1];
      entries[3 * i + 2] = START + i * MINUTE;
    }
    seen.replay(START + 29 * MINUTE, entries, 30);
    assertThat(seen.size()).isEqualTo(10);
    assertThat(seen.spilledSize()).isEqualTo(20);
    assertThat(seen.trim()).isZero();
    assertThat(contains(seen, "e0", START)).isTrue();
    assertThat(contains(seen, "e29", START + 29 * MINUTE)).isTrue();
  }

  @Test
  void simulatedDiskFullTheStoreClosedUnderItWritesAndReadsFailIntoForgetting() {
    SeenIds seen = thirtyIds(0, 10, Long.MAX_VALUE);
    seen.trim();
    assertThat(contains(seen, "e15", START + 15 * MINUTE)).isTrue();
    spill.close(); // every write and read now fails, as on a full or broken disk

    // The read of bucket 1 fails (bucket 0's filter rules e15 out without a read): the bucket is
    // forgotten and counted, no exception.
    assertThat(contains(seen, "e15", START + 15 * MINUTE)).isFalse();
    assertThat(seen.spilledBuckets()).isEqualTo(1);
    assertThat(seen.trim()).isEqualTo(10);
    assertThat(contains(seen, "e5", START + 5 * MINUTE)).isFalse();
    assertThat(seen.spilledBuckets()).isZero();
    // New ids over the budget cannot be spilled: forgotten and counted, nothing lost in memory.
    for (int i = 30; i < 50; i++) {
      accept(seen, "e" + i, START + i * MINUTE);
    }
    assertThat(seen.trim()).isEqualTo(10 + 20); // bucket 0's failed read, buckets 2 and 3
    assertThat(seen.size()).isEqualTo(10);
    assertThat(seen.spilledSize()).isZero();
    assertThat(contains(seen, "e45", START + 45 * MINUTE)).isTrue();
    assertThat(contains(seen, "e25", START + 25 * MINUTE)).isFalse();
  }

  @Test
  void simulatedUnwritableDiskTheStoreOpenedReadOnlyIsNotUsed() throws Exception {
    thirtyIds(0, 10, Long.MAX_VALUE).trim();
    spill.close();
    spill = DedupSpill.openUnwritable(dir.resolve("spill"), cache);
    // The reset fails, so the old keys could be stale: this state does not use the store.
    SeenIds seen = new SeenIds(WINDOW, LATENESS, spill, 0);
    seen.budget(10, Long.MAX_VALUE);
    for (int i = 0; i < 30; i++) {
      accept(seen, "e" + i, START + i * MINUTE);
    }
    assertThat(seen.trim()).isEqualTo(20);
    assertThat(seen.spilledSize()).isZero();
    assertThat(contains(seen, "e5", START + 5 * MINUTE)).isFalse();
    assertThat(contains(seen, "e25", START + 25 * MINUTE)).isTrue();
  }

  @Test
  void theFilterOfASpilledBucketHasNoFalseNegativesAndAboutOnePercentFalsePositives() {
    SeenIds.IdFilter filter = new SeenIds.IdFilter(100_000);
    for (int i = 0; i < 100_000; i++) {
      SeenIds.hash("in-" + i, hash);
      filter.add(hash[0], hash[1]);
    }
    for (int i = 0; i < 100_000; i++) {
      SeenIds.hash("in-" + i, hash);
      assertThat(filter.mightContain(hash[0], hash[1])).isTrue();
    }
    int falsePositives = 0;
    for (int i = 0; i < 100_000; i++) {
      SeenIds.hash("out-" + i, hash);
      falsePositives += filter.mightContain(hash[0], hash[1]) ? 1 : 0;
    }
    assertThat(falsePositives).isBetween(300, 1_500); // 0.8% expected at 10 bits, 7 probes
  }

  /** Ids e0-e29, one a minute from START (three buckets of ten), in partition {@code p}. */
  /** Bytes of the table files in the store's directory, live or not yet deleted. */
  private static long sstBytes(Path store) throws java.io.IOException {
    try (var files = java.nio.file.Files.list(store)) {
      return files
          .filter(f -> f.toString().endsWith(".sst"))
          .mapToLong(f -> f.toFile().length())
          .sum();
    }
  }

  private SeenIds thirtyIds(int p, long maxIds, long maxSpilled) {
    SeenIds seen = new SeenIds(WINDOW, LATENESS, spill, p);
    seen.budget(maxIds, maxSpilled);
    for (int i = 0; i < 30; i++) {
      accept(seen, "e" + i, START + i * MINUTE);
    }
    return seen;
  }
}
