package io.insighthub.workers.validate;

import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>A budget ({@link #budget}) bounds the ids held in memory and on disk (each spilled id's filter
 * counting 1/{@value #SPILLED_PER_MEMORY_ID} of an id in memory). Over the memory budget the oldest
 * buckets in memory are spilled whole to a {@link DedupSpill} store, when there is one, and looked
 * up there (one point read per spilled bucket within reach of the event time); over the disk
 * budget, or without a store, or when the store fails (a full disk), the oldest buckets are
 * forgotten instead and counted ({@link #trim}): a repeat of a forgotten id is no longer dropped.
 */
final class SeenIds {
  private static final Logger LOG = LoggerFactory.getLogger(SeenIds.class);
  private final long window;
  private final long lateness;
  private final TreeMap<Long, IdTable> buckets = new TreeMap<>();

  /** Where buckets over the memory budget go, or null (they are forgotten). */
  private DedupSpill spill;

  private final int partition;

  /** Spilled buckets: the ids each holds and their filters. */
  private final TreeMap<Long, Spilled> spilled = new TreeMap<>();

  private long spilledSize;
  private long maxIds = Long.MAX_VALUE;
  private long maxSpilled = Long.MAX_VALUE;

  /** Ids forgotten (budget, disk bound, store failures) since the last {@link #trim}. */
  private long forgotten;

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

  /** In memory only: over the budget, the oldest buckets are forgotten. */
  SeenIds(long windowMillis, long latenessMillis) {
    this(windowMillis, latenessMillis, null, 0);
  }

  /**
   * Spilling to {@code spill} (null: none) under {@code partition}, whose keys there are removed
   * first: a store left from an earlier owner or process cannot make a new id look seen. When they
   * cannot be removed the store is not used.
   */
  SeenIds(long windowMillis, long latenessMillis, DedupSpill spill, int partition) {
    if (windowMillis <= 0) {
      throw new IllegalArgumentException("the dedup window must be positive");
    }
    this.window = windowMillis;
    this.lateness = Math.max(0, latenessMillis);
    this.partition = partition;
    if (spill != null) {
      try {
        spill.deletePartition(partition);
        this.spill = spill;
      } catch (RocksDBException e) {
        LOG.warn(
            "cannot reset the dedup spill store of partition {} ({}): its ids over the memory"
                + " budget will be forgotten instead",
            partition,
            status(e));
      }
    }
  }

  /**
   * Sets the most ids held in memory and spilled to disk (each positive, {@link Long#MAX_VALUE} for
   * no bound); enforced by {@link #trim} and during {@link #replay}.
   */
  void budget(long maxIdsInMemory, long maxIdsSpilled) {
    this.maxIds = Math.max(1, maxIdsInMemory);
    this.maxSpilled = Math.max(0, maxIdsSpilled);
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
      Spilled onDisk = spilled.isEmpty() ? null : spilled.get(b);
      if (onDisk != null && onDisk.mightContain(hi, lo)) {
        long seen = spilledTime(b, hi, lo);
        if (seen != IdTable.ABSENT && Math.abs(seen - time) <= window) {
          return true;
        }
      }
    }
    return false;
  }

  /** The time of the id in spilled bucket {@code b}; a store that cannot be read forgets it. */
  private long spilledTime(long b, long hi, long lo) {
    try {
      return spill.get(partition, b, hi, lo);
    } catch (RocksDBException e) {
      int ids = spilled.remove(b).ids;
      spilledSize -= ids;
      forgotten += ids;
      LOG.warn(
          "cannot read spilled dedup ids of partition {} ({}): forgot {} ids of one bucket;"
              + " repeats of those events are no longer dropped",
          partition,
          status(e),
          ids);
      deleteQuietly(b, false);
      return IdTable.ABSENT;
    }
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
    if (memoryIds() > maxIds) {
      forgotten += trimMemory(); // a large restore spills as it goes, not at the end
    }
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

  /** Ids held in memory (for the memory gauge). */
  long size() {
    return size;
  }

  /** Ids spilled to disk (for the gauge). */
  long spilledSize() {
    return spilledSize;
  }

  int buckets() {
    return buckets.size();
  }

  /** Buckets spilled to disk. */
  int spilledBuckets() {
    return spilled.size();
  }

  /**
   * Keeps within the budget: spills (or, without a store, forgets) whole buckets from memory,
   * oldest first, until at most the memory budget is held (the newest bucket always stays), then
   * forgets the oldest spilled buckets until at most the disk budget is spilled. Returns how many
   * ids were forgotten since the last call, store failures and restores included. A repeat of a
   * forgotten id is no longer dropped: the budget shortens how far back dedup reaches instead of
   * exhausting the heap or the disk.
   */
  long trim() {
    forgotten += trimMemory();
    while (spilledSize > maxSpilled) {
      forgotten += forgetOldestSpilled();
    }
    long total = forgotten;
    forgotten = 0;
    return total;
  }

  /**
   * Spilled ids per id-in-memory of the memory budget: a spilled id keeps ~1.25-1.5 bytes of Bloom
   * filter on the heap, 1/48 of the 72 bytes the budget assumes per id in memory.
   */
  static final int SPILLED_PER_MEMORY_ID = 48;

  /** The ids the memory budget counts: those in memory plus the spilled ones' filters. */
  private long memoryIds() {
    return size + spilledSize / SPILLED_PER_MEMORY_ID;
  }

  private long trimMemory() {
    long lost = 0;
    while (memoryIds() > maxIds && buckets.size() > 1) {
      Map.Entry<Long, IdTable> oldest = removeOldest();
      lost += spillOrForget(oldest.getKey(), oldest.getValue());
    }
    return lost;
  }

  /**
   * Spills a bucket taken out of memory, making room by forgetting older spilled buckets; returns
   * how many ids were forgotten (this bucket's when it cannot be spilled).
   */
  private long spillOrForget(long bucket, IdTable table) {
    int ids = table.size();
    if (spill == null || ids > maxSpilled) {
      return ids;
    }
    long lost = 0;
    while (spilledSize + ids > maxSpilled && spilled.firstKey() < bucket) {
      lost += forgetOldestSpilled();
    }
    if (spilledSize + ids > maxSpilled) {
      return lost + ids;
    }
    Spilled onDisk = new Spilled();
    onDisk.add(table); // before the write, which consumes the table
    try {
      spill.write(partition, bucket, table);
    } catch (RocksDBException e) {
      LOG.warn(
          "cannot spill dedup ids of partition {} to disk ({}): forgot {} ids of one bucket;"
              + " repeats of those events are no longer dropped. Check the free space of the"
              + " state directory's volume",
          partition,
          status(e),
          ids);
      return lost + ids;
    }
    Spilled before = spilled.putIfAbsent(bucket, onDisk);
    if (before != null) {
      before.add(onDisk);
    }
    spilledSize += ids;
    return lost;
  }

  /** Removes the oldest spilled bucket from the store; returns how many ids it held. */
  private int forgetOldestSpilled() {
    Map.Entry<Long, Spilled> oldest = spilled.pollFirstEntry();
    spilledSize -= oldest.getValue().ids;
    deleteQuietly(oldest.getKey(), true);
    return oldest.getValue().ids;
  }

  /**
   * Deletes a bucket no longer listed as spilled (left on disk, it could not be read anyway), with
   * every older key when {@code andOlder}.
   */
  private void deleteQuietly(long bucket, boolean andOlder) {
    try {
      if (andOlder) {
        spill.deleteUpTo(partition, bucket);
      } else {
        spill.deleteBucket(partition, bucket);
      }
    } catch (RocksDBException e) {
      LOG.warn(
          "cannot delete spilled dedup ids of partition {} ({}); they stay on disk, unread,"
              + " until the partition is reassigned",
          partition,
          status(e));
    }
  }

  /**
   * Removes this partition's spilled ids from the store (the partition was revoked or its state is
   * being rebuilt); this state no longer spills.
   */
  void release() {
    if (spill != null) {
      try {
        spill.deletePartition(partition);
      } catch (RocksDBException e) {
        LOG.warn(
            "cannot remove the spilled dedup ids of partition {} ({}); its next owner here"
                + " removes them",
            partition,
            status(e));
      }
      spill = null;
      spilled.clear();
      spilledSize = 0;
    }
  }

  private static String status(RocksDBException e) {
    return e.getStatus() == null ? e.toString() : e.getStatus().getCodeString();
  }

  /** Takes the oldest bucket out of memory (and its recent-lookup slot). */
  private Map.Entry<Long, IdTable> removeOldest() {
    Map.Entry<Long, IdTable> oldest = buckets.pollFirstEntry();
    int slot = (int) (long) oldest.getKey() & 3;
    if (recentBucket[slot] == oldest.getKey()) {
      recentBucket[slot] = Long.MIN_VALUE;
      recentTable[slot] = null;
    }
    size -= oldest.getValue().size();
    return oldest;
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
      removeOldest();
    }
    while (!spilled.isEmpty() && end(spilled.firstKey()) <= oldest) {
      forgetOldestSpilled();
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

  /**
   * A spilled bucket: its id count and a Bloom filter of each write of it (one, unless ids of the
   * bucket arrived after it was spilled). The filters stay on the heap, 10 bits per id (~1% false
   * positives), so that a lookup of a new id, the common case, costs no call into the store; only a
   * maybe reads it.
   */
  static final class Spilled {
    private int ids;
    private IdFilter[] filters = new IdFilter[0];

    /** Another write of the same bucket. */
    void add(Spilled more) {
      int at = filters.length;
      filters = java.util.Arrays.copyOf(filters, at + more.filters.length);
      System.arraycopy(more.filters, 0, filters, at, more.filters.length);
      ids += more.ids;
    }

    void add(IdTable table) {
      IdFilter filter = new IdFilter(table.size());
      long[] slots = table.slots();
      for (int at = 0; at < slots.length; at += 3) {
        if (slots[at] != 0 || slots[at + 1] != 0) {
          filter.add(slots[at], slots[at + 1]);
        }
      }
      filters = java.util.Arrays.copyOf(filters, filters.length + 1);
      filters[filters.length - 1] = filter;
      ids += table.size();
    }

    boolean mightContain(long hi, long lo) {
      if (hi == 0 && lo == 0) {
        lo = 1; // as IdTable stores it
      }
      for (IdFilter filter : filters) {
        if (filter.mightContain(hi, lo)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * A Bloom filter over 128-bit hashes, 10 bits and 7 probes per id; the probes come from the
   * hash's two halves (double hashing), each mapped onto the bit array by a multiply-shift.
   */
  static final class IdFilter {
    private static final int PROBES = 7;
    private final long[] words;
    private final long bits;

    IdFilter(int ids) {
      long wanted = Math.max(64, 10L * ids);
      words = new long[(int) ((wanted + 63) >>> 6)];
      bits = (long) words.length << 6;
    }

    void add(long hi, long lo) {
      long h = hi;
      for (int i = 0; i < PROBES; i++) {
        long bit = Math.unsignedMultiplyHigh(h, bits);
        words[(int) (bit >>> 6)] |= 1L << bit;
        h += lo | 1;
      }
    }

    boolean mightContain(long hi, long lo) {
      long h = hi;
      for (int i = 0; i < PROBES; i++) {
        long bit = Math.unsignedMultiplyHigh(h, bits);
        if ((words[(int) (bit >>> 6)] & 1L << bit) == 0) {
          return false;
        }
        h += lo | 1;
      }
      return true;
    }
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

    /** The slots, (hi, lo, time) triples, (0, 0) for an empty one; not to be changed. */
    long[] slots() {
      return slots;
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
