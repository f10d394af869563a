package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeenIdsTest {
  private static final long MINUTE = 60_000;
  private static final long WINDOW = 10 * MINUTE;
  private static final long LATENESS = 60 * MINUTE;
  private static final long T0 = 1_795_000_000_000L;

  private final long[] hash = new long[2];

  @Test
  void anIdIsADuplicateWithinTheWindowOnEitherSideAndNewBeyondIt() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS);
    accept(seen, "a", T0);
    assertThat(contains(seen, "a", T0)).isTrue();
    assertThat(contains(seen, "a", T0 + WINDOW)).isTrue();
    assertThat(contains(seen, "a", T0 - WINDOW)).isTrue();
    assertThat(contains(seen, "a", T0 + WINDOW + 1)).isFalse();
    assertThat(contains(seen, "a", T0 - WINDOW - 1)).isFalse();
    assertThat(contains(seen, "b", T0)).isFalse();
  }

  @Test
  void theSameIdAcceptedTwoWindowsApartIsFoundNearEachTime() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS);
    accept(seen, "a", T0);
    accept(seen, "a", T0 + 2 * WINDOW + 5);
    assertThat(contains(seen, "a", T0 + WINDOW / 2)).isTrue();
    assertThat(contains(seen, "a", T0 + 2 * WINDOW)).isTrue();
    assertThat(contains(seen, "a", T0 + WINDOW + WINDOW / 2)).isTrue();
    assertThat(seen.size()).isEqualTo(2);
  }

  @Test
  void lateIsMeasuredFromTheNewestAcceptedTime() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS);
    assertThat(seen.isLate(0)).isFalse();
    accept(seen, "a", T0);
    assertThat(seen.isLate(T0 - LATENESS)).isFalse();
    assertThat(seen.isLate(T0 - LATENESS - 1)).isTrue();
    accept(seen, "b", T0 - 5 * MINUTE);
    assertThat(seen.newest()).isEqualTo(T0);
  }

  @Test
  void bucketsNoLookupCanReachAreForgotten() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS);
    for (int i = 0; i < 1_000; i++) {
      accept(seen, "e" + i, T0 + i * MINUTE);
    }
    // Lookups start at newest - lateness - window: about 70 minutes, 8 buckets, stay.
    assertThat(seen.buckets()).isBetween(8, 9);
    assertThat(seen.size()).isBetween(70L, 90L);
    long newest = T0 + 999 * MINUTE;
    assertThat(contains(seen, "e999", newest)).isTrue();
    assertThat(contains(seen, "e940", newest - LATENESS)).isTrue();
  }

  @Test
  void anExpiredBucketIsNotFoundThroughTheRecentLookups() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS);
    accept(seen, "x", T0);
    assertThat(contains(seen, "x", T0)).isTrue();
    // Seven buckets later (another slot of the recent lookups): x's bucket is out of reach.
    accept(seen, "y", T0 + LATENESS + 3 * WINDOW);
    assertThat(seen.size()).isEqualTo(1);
    assertThat(contains(seen, "x", T0)).isFalse();
  }

  @Test
  void overTheBudgetTheOldestBucketsAreForgottenTheNewestKept() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS);
    long start = Math.floorDiv(T0, WINDOW) * WINDOW; // a bucket's first millisecond
    for (int i = 0; i < 30; i++) {
      accept(seen, "e" + i, start + i * MINUTE); // three buckets of ten ids
    }
    assertThat(trimTo(seen, 30)).isZero();
    assertThat(trimTo(seen, 15)).isEqualTo(20);
    assertThat(seen.size()).isEqualTo(10);
    assertThat(contains(seen, "e5", start + 5 * MINUTE)).isFalse();
    assertThat(contains(seen, "e25", start + 25 * MINUTE)).isTrue();
    // The newest bucket stays whatever the budget.
    assertThat(trimTo(seen, 0)).isZero();
    assertThat(seen.size()).isEqualTo(10);
  }

  @Test
  void aTableGrowsAndKeepsEveryId() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS);
    for (int i = 0; i < 200_000; i++) {
      accept(seen, "id-" + i, T0 + i % 1_000);
    }
    assertThat(seen.size()).isEqualTo(200_000);
    for (int i = 0; i < 200_000; i += 997) {
      assertThat(contains(seen, "id-" + i, T0)).isTrue();
    }
    int falseHits = 0;
    for (int i = 200_000; i < 400_000; i++) {
      falseHits += contains(seen, "id-" + i, T0) ? 1 : 0;
    }
    assertThat(falseHits).isZero();
  }

  @Test
  void pendingIdsAreDrainedOnceAndReplayRebuildsTheSameState() {
    SeenIds first = new SeenIds(WINDOW, LATENESS);
    accept(first, "a", T0);
    accept(first, "b", T0 + MINUTE);
    assertThat(first.pendingCount()).isEqualTo(2);
    List<byte[]> log = DedupLog.encode(first.newest(), first.drainPending());
    assertThat(first.pendingCount()).isZero();
    accept(first, "c", T0 + 2 * MINUTE);
    log = new java.util.ArrayList<>(log);
    log.addAll(DedupLog.encode(first.newest(), first.drainPending()));

    SeenIds restored = new SeenIds(WINDOW, LATENESS);
    for (byte[] record : log) {
      DedupLog.replay(record, restored, "test");
    }
    assertThat(restored.newest()).isEqualTo(T0 + 2 * MINUTE);
    assertThat(restored.pendingCount()).isZero();
    for (String id : List.of("a", "b", "c")) {
      assertThat(contains(restored, id, T0 + MINUTE)).as(id).isTrue();
    }
    assertThat(contains(restored, "d", T0)).isFalse();
  }

  @Test
  void largeBatchesAreSplitIntoBoundedRecords() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS);
    int ids = DedupLog.MAX_IDS_PER_RECORD * 2 + 5;
    for (int i = 0; i < ids; i++) {
      accept(seen, "x" + i, T0);
    }
    List<byte[]> records = DedupLog.encode(seen.newest(), seen.drainPending());
    assertThat(records).hasSize(3);
    assertThat(records.get(0).length).isEqualTo(13 + 24 * DedupLog.MAX_IDS_PER_RECORD);
    SeenIds restored = new SeenIds(WINDOW, LATENESS);
    records.forEach(r -> DedupLog.replay(r, restored, "test"));
    assertThat(restored.size()).isEqualTo(ids);
  }

  @Test
  void aRecordInAnotherFormatFailsTheRestoreNamingWhere() {
    SeenIds seen = new SeenIds(WINDOW, LATENESS);
    assertThatThrownBy(() -> DedupLog.replay("{}".getBytes(), seen, "log-0@17"))
        .hasMessageContaining("log-0@17")
        .hasMessageContaining("format");
    byte[] cut = DedupLog.encode(T0, new long[] {1, 2, T0}).get(0);
    assertThatThrownBy(
            () -> DedupLog.replay(java.util.Arrays.copyOf(cut, cut.length - 1), seen, "log-0@18"))
        .hasMessageContaining("truncated");
  }

  @Test
  void theHashIsStableAndSpreadsSimilarIds() {
    SeenIds.hash("ev-1", hash);
    // Fixed: the log written by one process is read by another.
    long hi = hash[0];
    long lo = hash[1];
    SeenIds.hash("ev-1", hash);
    assertThat(hash).containsExactly(hi, lo);
    Set<Long> highs = new HashSet<>();
    Set<Long> lows = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      SeenIds.hash("ev-" + i, hash);
      highs.add(hash[0]);
      lows.add(hash[1]);
    }
    assertThat(highs).hasSize(100_000);
    assertThat(lows).hasSize(100_000);
    SeenIds.hash("", hash);
    long emptyHi = hash[0];
    SeenIds.hash("\0", hash);
    assertThat(hash[0]).isNotEqualTo(emptyHi);
  }

  /**
   * Trims {@code seen} to a memory budget of {@code maxIds}, no store; returns the ids forgotten.
   */
  private static long trimTo(SeenIds seen, long maxIds) {
    seen.budget(maxIds, Long.MAX_VALUE);
    return seen.trim();
  }

  /** Whether {@code seen} holds {@code id} within the window of {@code time} (shared by tests). */
  static boolean contains(SeenIds seen, String id, long time) {
    long[] hash = new long[2];
    SeenIds.hash(id, hash);
    return seen.contains(hash[0], hash[1], time);
  }

  /** Accepts {@code id} at {@code time} into {@code seen} (shared by tests). */
  static void accept(SeenIds seen, String id, long time) {
    long[] hash = new long[2];
    SeenIds.hash(id, hash);
    seen.accept(hash[0], hash[1], time);
  }
}
