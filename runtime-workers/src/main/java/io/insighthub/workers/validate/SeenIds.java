package io.insighthub.workers.validate;

import java.util.Map;
import java.util.TreeMap;

/**
 * The dedup and lateness state of one raw partition: the event ids accepted within reach of a
 * lookup, with their event times, and the newest accepted event time. Ids are kept as 128-bit
 * hashes ({@link #hash}), so memory is 36-72 bytes per id whatever its length; two different ids
 * sharing a hash (the only way a new event could be taken for a duplicate) has a chance of about
 * n²/2¹²⁹ for n ids held, under 10⁻²⁰ for a billion. Ids are held in buckets of one dedup window of
 * event time: a lookup for time t reads the buckets overlapping [t - window, t + window] and a
 * whole bucket is forgotten once no lookup can reach it (lookups start at newest - lateness, since
 * older events are late).
 *
 * <p>Ids accepted since the last {@link #drainPending} are also kept in order, for the stage to log
 * them in the transaction that commits the events ({@link DedupLog}); {@link #replay} rebuilds the
 * state from that log. Not thread-safe: one per partition, used by the thread that owns it.
 */
final class SeenIds {
  private final long window;
  private final long lateness;
  private final TreeMap<Long, IdTable> buckets = new TreeMap<>();

  /**
   * The last tables looked up, by bucket number modulo 4: events cluster in two or three buckets,
   * so most lookups skip the tree (and boxing the bucket number).
   */
  private final long[] recentBucket = {
    Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE
  };

  private final IdTable[] recentTable = new IdTable[4];
  private long newest = Long.MIN_VALUE;
  private long size;
  private long[] pending = new long[3 * 1024];
  private int pendingCount;

  SeenIds(long windowMillis, long latenessMillis) {
    if (windowMillis <= 0) {
      throw new IllegalArgumentException("the dedup window must be positive");
    }
    this.window = windowMillis;
    this.lateness = Math.max(0, latenessMillis);
  }

  /** The newest accepted event time, or {@link Long#MIN_VALUE} before the first. */
  long newest() {
    return newest;
  }

  /** True when an event at {@code time} is older than the allowed lateness behind the newest. */
  boolean isLate(long time) {
    return newest != Long.MIN_VALUE && time < newest - lateness;
  }

  /** True when an id with this hash was accepted at a time within the window of {@code time}. */
  boolean contains(long hi, long lo, long time) {
    long first = bucket(saturatedAdd(time, -window));
    long last = bucket(saturatedAdd(time, window));
    // The span is two windows long: at most three buckets.
    for (long b = first; b <= last; b++) {
      IdTable table = table(b);
      if (table != null) {
        long seen = table.get(hi, lo);
        if (seen != IdTable.ABSENT && Math.abs(seen - time) <= window) {
          return true;
        }
      }
    }
    return false;
  }

  /** Records an accepted event (not a duplicate, not late), to be logged at the next commit. */
  void accept(long hi, long lo, long time) {
    add(hi, lo, time);
    if (pendingCount * 3 == pending.length) {
      pending = java.util.Arrays.copyOf(pending, pending.length * 2);
    }
    int at = pendingCount * 3;
    pending[at] = hi;
    pending[at + 1] = lo;
    pending[at + 2] = time;
    pendingCount++;
    advance(time);
  }

  /** Applies one logged batch: its ids and the newest event time when it was committed. */
  void replay(long batchNewest, long[] entries, int count) {
    for (int i = 0; i < count; i++) {
      add(entries[3 * i], entries[3 * i + 1], entries[3 * i + 2]);
    }
    advance(batchNewest);
  }

  /** The ids accepted since the last call, as (hi, lo, time) triples, and forgets them. */
  long[] drainPending() {
    long[] drained = java.util.Arrays.copyOf(pending, pendingCount * 3);
    pendingCount = 0;
    if (pending.length > 3 * 64 * 1024) {
      pending = new long[3 * 1024];
    }
    return drained;
  }

  int pendingCount() {
    return pendingCount;
  }

  /** Ids held (for the memory gauge). */
  long size() {
    return size;
  }

  int buckets() {
    return buckets.size();
  }

  /**
   * Forgets whole buckets, oldest first, until at most {@code maxIds} are held (the newest bucket
   * is always kept); returns how many ids were forgotten. A repeat of a forgotten id is no longer
   * dropped: the memory budget shortens how far back dedup reaches instead of exhausting the heap.
   */
  long trimTo(long maxIds) {
    long forgotten = 0;
    while (size > maxIds && buckets.size() > 1) {
      forgotten += forgetOldest();
    }
    return forgotten;
  }

  /** Drops the oldest bucket (and its recent-lookup slot); returns how many ids it held. */
  private int forgetOldest() {
    Map.Entry<Long, IdTable> oldest = buckets.pollFirstEntry();
    int slot = (int) (long) oldest.getKey() & 3;
    if (recentBucket[slot] == oldest.getKey()) {
      recentBucket[slot] = Long.MIN_VALUE;
      recentTable[slot] = null;
    }
    size -= oldest.getValue().size();
    return oldest.getValue().size();
  }

  /** The table of {@code bucket}, or null. */
  private IdTable table(long bucket) {
    int slot = (int) bucket & 3;
    if (recentBucket[slot] == bucket) {
      return recentTable[slot];
    }
    IdTable table = buckets.get(bucket);
    if (table != null) {
      recentBucket[slot] = bucket;
      recentTable[slot] = table;
    }
    return table;
  }

  private void add(long hi, long lo, long time) {
    long bucket = bucket(time);
    IdTable table = table(bucket);
    if (table == null) {
      if (end(bucket) <= oldestLookup()) {
        return; // a replayed id no lookup can reach any more
      }
      table = new IdTable();
      buckets.put(bucket, table);
    }
    if (table.putIfAbsent(hi, lo, time)) {
      size++;
    }
  }

  private void advance(long time) {
    if (time > newest) {
      newest = time;
      expire();
    }
  }

  /** The earliest event time a lookup can reach: an event before newest - lateness is late. */
  private long oldestLookup() {
    return newest == Long.MIN_VALUE
        ? Long.MIN_VALUE
        : saturatedAdd(saturatedAdd(newest, -lateness), -window);
  }

  private void expire() {
    long oldest = oldestLookup();
    while (!buckets.isEmpty() && end(buckets.firstKey()) <= oldest) {
      forgetOldest();
    }
  }

  private long bucket(long time) {
    return Math.floorDiv(time, window);
  }

  /** The first time after {@code bucket}, saturating instead of overflowing. */
  private long end(long bucket) {
    long end = (bucket + 1) * window;
    return end / window == bucket + 1 ? end : Long.MAX_VALUE;
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    // Overflow only when both have the same sign and the sum's sign differs.
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return sum;
  }

  /**
   * A 128-bit hash of {@code id}'s UTF-16 units into {@code out[0]} (high) and {@code out[1]}
   * (low). Two 64-bit lanes, each block of four units mixed into both with different multipliers
   * and rotations, then the lanes mixed into each other and finalized: stable across processes and
   * versions (the dedup log stores it).
   */
  static void hash(String id, long[] out) {
    long h1 = 0x9E3779B97F4A7C15L ^ id.length();
    long h2 = 0xC2B2AE3D27D4EB4FL;
    int n = id.length();
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      long k = id.charAt(i) | (long) id.charAt(i + 1) << 16;
      k |= (long) id.charAt(i + 2) << 32 | (long) id.charAt(i + 3) << 48;
      h1 = mixLane1(h1, k);
      h2 = mixLane2(h2, k);
    }
    long tail = 0;
    for (int shift = 0; i < n; i++, shift += 16) {
      tail |= (long) id.charAt(i) << shift;
    }
    h1 = mixLane1(h1, tail);
    h2 = mixLane2(h2, tail ^ n);
    h1 += h2;
    h2 += h1;
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 += h2;
    out[0] = h1;
    out[1] = h2 + h1;
  }

  private static long mixLane1(long h, long k) {
    k *= 0x87C37B91114253D5L;
    k = Long.rotateLeft(k, 31);
    k *= 0x4CF5AD432745937FL;
    h ^= k;
    h = Long.rotateLeft(h, 27) * 5 + 0x52DCE729;
    return h;
  }

  private static long mixLane2(long h, long k) {
    k *= 0x4CF5AD432745937FL;
    k = Long.rotateLeft(k, 33);
    k *= 0x87C37B91114253D5L;
    h ^= k;
    h = Long.rotateLeft(h, 31) * 5 + 0x38495AB5;
    return h;
  }

  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xFF51AFD7ED558CCDL;
    k ^= k >>> 33;
    k *= 0xC4CEB9FE1A85EC53L;
    k ^= k >>> 33;
    return k;
  }

  /** Open addressing over (hi, lo) → time, linear probing, grown at 2/3 full. */
  static final class IdTable {
    static final long ABSENT = Long.MIN_VALUE;
    private long[] slots = new long[3 * 1024];
    private int mask = 1023;
    private int size;

    int size() {
      return size;
    }

    long get(long hi, long lo) {
      if (hi == 0 && lo == 0) {
        lo = 1;
      }
      for (int i = (int) (hi ^ lo >>> 32) & mask; ; i = (i + 1) & mask) {
        int at = 3 * i;
        long h = slots[at];
        long l = slots[at + 1];
        if (h == 0 && l == 0) {
          return ABSENT;
        }
        if (h == hi && l == lo) {
          return slots[at + 2];
        }
      }
    }

    /** False when the hash is already held (its first time is kept). */
    boolean putIfAbsent(long hi, long lo, long time) {
      if (hi == 0 && lo == 0) {
        lo = 1; // (0, 0) marks an empty slot
      }
      if ((size + 1) * 3 > (mask + 1) * 2) {
        grow();
      }
      for (int i = (int) (hi ^ lo >>> 32) & mask; ; i = (i + 1) & mask) {
        int at = 3 * i;
        long h = slots[at];
        long l = slots[at + 1];
        if (h == 0 && l == 0) {
          slots[at] = hi;
          slots[at + 1] = lo;
          slots[at + 2] = time;
          size++;
          return true;
        }
        if (h == hi && l == lo) {
          return false;
        }
      }
    }

    private void grow() {
      long[] old = slots;
      int capacity = (mask + 1) * 2;
      slots = new long[3 * capacity];
      mask = capacity - 1;
      size = 0;
      for (int at = 0; at < old.length; at += 3) {
        if (old[at] != 0 || old[at + 1] != 0) {
          putIfAbsent(old[at], old[at + 1], old[at + 2]);
        }
      }
    }
  }
}
