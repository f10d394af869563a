package io.insighthub.workers.validate;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory Bloom filter in front of the dedup window store: "no" is certain, so the common case
 * (a new id) skips the store's range lookup, and only a "maybe" (a real duplicate or a false
 * positive) reads the store, which stays the only authority. Ids are kept in buckets of one dedup
 * window of event time, so a lookup for time t reads the buckets overlapping [t - window, t +
 * window] and whole buckets are forgotten once no lookup can reach them. Each bucket grows by
 * adding a twice larger layer when the current one is full, so the false-positive rate stays near
 * 1% whatever the event rate, up to a memory cap ({@link #DEFAULT_MAX_BITS}: 64 MiB per task); past
 * it the last layers fill up and answer "maybe" more often, which costs store lookups, never
 * correctness. It holds no state of its own: the processor refills it from the (changelogged) store
 * whenever its task is initialized, a scan of every id the store retains. Not thread-safe: one per
 * stream task.
 */
final class SeenIdFilter {
  private static final int FIRST_LAYER_BITS = 1 << 17;
  private static final int MAX_LAYER_BITS = 1 << 30;
  private static final int BITS_PER_ID = 10;
  private static final int PROBES = 6;

  static final long DEFAULT_MAX_BITS = 1L << 29;

  private final long window;
  private final long maxBits;
  private final TreeMap<Long, Bucket> buckets = new TreeMap<>();
  private long bits;

  SeenIdFilter(long windowMillis) {
    this(windowMillis, DEFAULT_MAX_BITS);
  }

  /** With at most {@code maxBits} in all layers (beyond it, at least one layer per bucket). */
  SeenIdFilter(long windowMillis, long maxBits) {
    if (windowMillis <= 0) {
      throw new IllegalArgumentException("the dedup window must be positive");
    }
    this.window = windowMillis;
    this.maxBits = maxBits;
  }

  /** Remembers that {@code id} was seen at event time {@code time}. */
  void add(String id, long time) {
    long hash = hash(id);
    buckets.computeIfAbsent(bucket(time), b -> new Bucket()).add(hash);
  }

  /**
   * False only when no id equal to {@code id} was added at a time within the window of {@code
   * time}.
   */
  boolean mightContain(String id, long time) {
    long hash = hash(id);
    long first = bucket(time - window);
    long last = bucket(time + window);
    // The span is two windows long: at most three buckets.
    for (long b = first; b <= last; b++) {
      Bucket bucket = buckets.get(b);
      if (bucket != null && bucket.mightContain(hash)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Forgets buckets entirely older than {@code oldestLookup}, the earliest time a lookup can reach.
   */
  void expireBefore(long oldestLookup) {
    Iterator<Map.Entry<Long, Bucket>> it = buckets.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Bucket> entry = it.next();
      if (end(entry.getKey()) > oldestLookup) {
        return;
      }
      bits -= entry.getValue().bits();
      it.remove();
    }
  }

  int buckets() {
    return buckets.size();
  }

  /** The size of all layers, in bits. */
  long bits() {
    return bits;
  }

  private long bucket(long time) {
    return Math.floorDiv(time, window);
  }

  /** The first time after {@code bucket}, saturating instead of overflowing. */
  private long end(long bucket) {
    long end = (bucket + 1) * window;
    return end / window == bucket + 1 ? end : Long.MAX_VALUE;
  }

  /** 64-bit FNV-1a over the UTF-16 units, then a finalizer so both halves are well mixed. */
  static long hash(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** The ids of one window-long span of event time, in layers of growing size. */
  private final class Bucket {
    private final List<Layer> layers = new ArrayList<>(2);

    void add(long hash) {
      Layer last = layers.isEmpty() ? null : layers.get(layers.size() - 1);
      if (last == null) {
        last = grow(FIRST_LAYER_BITS);
      } else if (last.full()) {
        int size = Math.min(MAX_LAYER_BITS, last.size() * 2);
        if (bits + size <= maxBits) {
          last = grow(size);
        }
      }
      last.add(hash);
    }

    private Layer grow(int size) {
      Layer layer = new Layer(size);
      layers.add(layer);
      bits += size;
      return layer;
    }

    long bits() {
      long sum = 0;
      for (Layer layer : layers) {
        sum += layer.size();
      }
      return sum;
    }

    boolean mightContain(long hash) {
      for (Layer layer : layers) {
        if (layer.mightContain(hash)) {
          return true;
        }
      }
      return false;
    }
  }

  /** One Bloom filter of a power-of-two size, probed by double hashing. */
  private static final class Layer {
    private final long[] words;
    private final int mask;
    private int count;

    Layer(int bits) {
      this.words = new long[bits >>> 6];
      this.mask = bits - 1;
    }

    int size() {
      return mask + 1;
    }

    boolean full() {
      return count >= size() / BITS_PER_ID;
    }

    void add(long hash) {
      int h1 = (int) hash;
      int h2 = (int) (hash >>> 32) | 1;
      for (int i = 0; i < PROBES; i++) {
        int bit = (h1 + i * h2) & mask;
        words[bit >>> 6] |= 1L << bit;
      }
      count++;
    }

    boolean mightContain(long hash) {
      int h1 = (int) hash;
      int h2 = (int) (hash >>> 32) | 1;
      for (int i = 0; i < PROBES; i++) {
        int bit = (h1 + i * h2) & mask;
        if ((words[bit >>> 6] & (1L << bit)) == 0) {
          return false;
        }
      }
      return true;
    }
  }
}
