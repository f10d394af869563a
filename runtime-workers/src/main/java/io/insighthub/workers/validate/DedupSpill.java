package io.insighthub.workers.validate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.EnvOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.SstFileWriter;
import org.rocksdb.WriteOptions;

/**
 * Dedup ids spilled to disk: a local RocksDB store holding the buckets of {@link SeenIds} that do
 * not fit in the memory budget. It is a cache of the {@link DedupLog}, never the source of truth:
 * it is emptied when opened and a partition's keys are removed whenever the partition is
 * (re)assigned or revoked. A bucket is written as one sorted table file that RocksDB ingests, and
 * deletes skip the write-ahead log: a crash loses nothing the dedup log does not hold.
 *
 * <p>Key: partition (4 bytes), bucket number (8, sign bit flipped so that byte order is numeric
 * order), hash high and low (8 + 8), big-endian: one bucket of one partition is one contiguous key
 * range, removed by one {@code deleteRange}. Value: the event time (8 bytes). The Bloom filters
 * that keep lookups of new ids off the store are on the heap ({@link SeenIds.Spilled}): RocksDB's
 * own whole-key filter answered a lookup of a new id in ~2.5 µs (a call through JNI, the table
 * cache, the filter probe), the heap's in well under one, and holding both would keep the same bits
 * twice (BENCHMARKS.md, "Dedup spill").
 *
 * <p>One store per processing thread, not per process: keys are then written only by the thread
 * that owns the partition, so a thread that lost a partition without knowing it yet (a zombie until
 * its next poll) cannot write ids into the key range that the partition's new owner has just reset.
 * The key and value buffers are reused for the same reason (no locking). The threads share one
 * block cache ({@link #cache}).
 */
final class DedupSpill implements AutoCloseable {
  /** The stores' directory under the stage's state directory. */
  static final String DIR = "dedup-spill";

  /** The block cache all of a process's stores share. */
  static final long CACHE_BYTES = 64L << 20;

  static final int KEY_BYTES = 4 + 8 + 8 + 8;

  static {
    RocksDB.loadLibrary();
  }

  /** Disk reserved ahead for the store's MANIFEST, which records its few table files. */
  static final long MANIFEST_PREALLOCATION = 64 << 10;

  private final Path dir;
  private final Path ingestDir;
  private final IngestExternalFileOptions ingestOptions;
  private long ingested;
  private final Options options;
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;
  private final RocksDB db;
  private final byte[] key = new byte[KEY_BYTES];
  private final byte[] end = new byte[KEY_BYTES];
  private final byte[] value = new byte[8];
  private boolean closed;

  private DedupSpill(Path dir, Cache cache, boolean readOnly) throws RocksDBException {
    this.dir = dir;
    this.ingestDir = ingestDir(dir);
    this.ingestOptions = new IngestExternalFileOptions().setMoveFiles(true);
    this.options =
        new Options()
            .setCreateIfMissing(true)
            .setMaxOpenFiles(512)
            // Random 128-bit hashes do not compress; the shared key prefix is delta-encoded.
            .setCompressionType(CompressionType.NO_COMPRESSION)
            .setWriteBufferSize(16L << 20)
            .setMaxWriteBufferNumber(2)
            // RocksDB reserves 4 MiB of disk for the MANIFEST by default: most of the disk a small
            // stateStorage volume gives a thread. The store's manifest stays a few KiB.
            .setManifestPreallocationSize(MANIFEST_PREALLOCATION)
            .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
    this.writeOptions = new WriteOptions().setDisableWAL(true);
    this.readOptions = new ReadOptions();
    RocksDB opened = null;
    try {
      opened =
          readOnly
              ? RocksDB.openReadOnly(options, dir.toString())
              : RocksDB.open(options, dir.toString());
    } finally {
      if (opened == null) {
        closeOptions();
      }
    }
    this.db = opened;
  }

  /** A block cache of {@link #CACHE_BYTES} for the stores of one process. */
  static Cache cache() {
    return new LRUCache(CACHE_BYTES);
  }

  /** Opens an empty store in {@code dir}: whatever a previous process left there is removed. */
  static DedupSpill open(Path dir, Cache cache) throws RocksDBException {
    clear(dir);
    clear(ingestDir(dir));
    try {
      Files.createDirectories(dir);
      Files.createDirectories(ingestDir(dir));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the dedup spill directory " + dir, e);
    }
    return new DedupSpill(dir, cache, false);
  }

  /**
   * Opens the store in {@code dir} as it is, read-only, so that every write fails: for tests that
   * simulate a full disk.
   */
  static DedupSpill openUnwritable(Path dir, Cache cache) throws RocksDBException {
    return new DedupSpill(dir, cache, true);
  }

  /** Where a store's table files are written before RocksDB ingests them. */
  private static Path ingestDir(Path dir) {
    return dir.resolveSibling(dir.getFileName() + "-ingest");
  }

  /** Removes {@code dir} and everything under it. */
  static void clear(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the dedup spill directory " + dir, e);
    }
  }

  Path dir() {
    return dir;
  }

  /**
   * Writes the ids of {@code table} as bucket {@code bucket} of {@code partition}, consuming the
   * table (its slots are sorted in place: no copy of a bucket that may hold millions of ids). The
   * sorted ids go into one table file that RocksDB ingests as it is, at the lowest level where it
   * fits: no memtable, and no compaction for a bucket spilled once. (Writes through the memtable
   * cost ~1.8 µs of CPU per id in the workers benchmark, BENCHMARKS.md.)
   */
  void write(int partition, long bucket, SeenIds.IdTable table) throws RocksDBException {
    open();
    long[] slots = table.slots();
    int n = 0;
    for (int at = 0; at < slots.length; at += 3) {
      if (slots[at] != 0 || slots[at + 1] != 0) {
        slots[3 * n] = slots[at];
        slots[3 * n + 1] = slots[at + 1];
        slots[3 * n + 2] = slots[at + 2];
        n++;
      }
    }
    if (n == 0) {
      return;
    }
    sort(slots, 0, n - 1);
    Path file = ingestDir.resolve("bucket-" + ingested++ + ".sst");
    try {
      try (EnvOptions env = new EnvOptions();
          SstFileWriter writer = new SstFileWriter(env, options)) {
        writer.open(file.toString());
        for (int i = 0; i < n; i++) {
          key(key, partition, bucket, slots[3 * i], slots[3 * i + 1]);
          putLong(value, 0, slots[3 * i + 2]);
          writer.put(key, value);
        }
        writer.finish();
      }
      db.ingestExternalFile(List.of(file.toString()), ingestOptions);
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a leftover file in the ingest directory, removed with it at the next start
      }
    }
  }

  /** Sorts (hi, lo, time) triples {@code from} to {@code to} by hi then lo, unsigned. */
  private static void sort(long[] t, int from, int to) {
    while (to - from > 16) {
      int mid = (from + to) >>> 1;
      long pivotHi = t[3 * mid];
      long pivotLo = t[3 * mid + 1];
      int i = from;
      int j = to;
      while (i <= j) {
        while (compare(t[3 * i], t[3 * i + 1], pivotHi, pivotLo) < 0) {
          i++;
        }
        while (compare(t[3 * j], t[3 * j + 1], pivotHi, pivotLo) > 0) {
          j--;
        }
        if (i <= j) {
          swap(t, i++, j--);
        }
      }
      // Recurse into the smaller side, loop on the larger: bounded stack.
      if (j - from < to - i) {
        sort(t, from, j);
        from = i;
      } else {
        sort(t, i, to);
        to = j;
      }
    }
    for (int i = from + 1; i <= to; i++) {
      for (int k = i;
          k > from && compare(t[3 * k - 3], t[3 * k - 2], t[3 * k], t[3 * k + 1]) > 0;
          k--) {
        swap(t, k - 1, k);
      }
    }
  }

  private static int compare(long hi1, long lo1, long hi2, long lo2) {
    int c = Long.compareUnsigned(hi1, hi2);
    return c != 0 ? c : Long.compareUnsigned(lo1, lo2);
  }

  private static void swap(long[] t, int a, int b) {
    for (int k = 0; k < 3; k++) {
      long v = t[3 * a + k];
      t[3 * a + k] = t[3 * b + k];
      t[3 * b + k] = v;
    }
  }

  /** The event time held for the id, or {@link SeenIds.IdTable#ABSENT}. */
  long get(int partition, long bucket, long hi, long lo) throws RocksDBException {
    open();
    key(key, partition, bucket, hi, lo);
    int found = db.get(readOptions, key, 0, KEY_BYTES, value, 0, 8);
    return found == RocksDB.NOT_FOUND ? SeenIds.IdTable.ABSENT : getLong(value, 0);
  }

  /** Removes bucket {@code bucket} of {@code partition}. */
  void deleteBucket(int partition, long bucket) throws RocksDBException {
    open();
    prefix(key, partition, bucket);
    if (bucket == Long.MAX_VALUE) {
      prefix(end, partition + 1, Long.MIN_VALUE);
    } else {
      prefix(end, partition, bucket + 1);
    }
    deleteRange();
  }

  /**
   * Removes bucket {@code bucket} of {@code partition} and every older one: for the oldest spilled
   * bucket, whose older keys are all dead, so that the table files spanning several buckets are
   * dropped whole too.
   */
  void deleteUpTo(int partition, long bucket) throws RocksDBException {
    open();
    prefix(key, partition, Long.MIN_VALUE);
    if (bucket == Long.MAX_VALUE) {
      prefix(end, partition + 1, Long.MIN_VALUE);
    } else {
      prefix(end, partition, bucket + 1);
    }
    deleteRange();
  }

  /**
   * Removes every key of {@code partition}, and compacts its range at once: its range tombstone
   * covers every bucket the partition will spill, so left in the memtable it would be flushed with
   * the next bucket's ingestion and put that file (and the ones after it) on level 0, where {@code
   * deleteFilesInRanges} cannot drop them: forgotten and expired buckets would stay on disk until a
   * compaction merged them, several times the disk budget (BENCHMARKS.md, "Disk of the spill"). The
   * range holds only dead keys, so the compaction writes nothing.
   */
  void deletePartition(int partition) throws RocksDBException {
    open();
    prefix(key, partition, Long.MIN_VALUE);
    prefix(end, partition + 1, Long.MIN_VALUE);
    deleteRange();
    try (var options =
        new CompactRangeOptions()
            .setBottommostLevelCompaction(
                CompactRangeOptions.BottommostLevelCompaction.kForceOptimized)) {
      // Forced down to the last level, where the tombstone covers nothing and is dropped.
      db.compactRange(db.getDefaultColumnFamily(), key.clone(), end.clone(), options);
    }
  }

  /**
   * Deletes the keys from {@link #key} to {@link #end}: first the table files wholly inside (a
   * bucket is written at once, so most of its files are), which frees their disk at once, then the
   * rest with a range tombstone, which compaction applies later.
   */
  private void deleteRange() throws RocksDBException {
    db.deleteFilesInRanges(
        db.getDefaultColumnFamily(), java.util.List.of(key.clone(), end.clone()), false);
    db.deleteRange(writeOptions, key, end);
  }

  /** The keys held for bucket {@code bucket} of {@code partition}, counted by iterating. */
  long keys(int partition, long bucket) {
    byte[] from = new byte[KEY_BYTES];
    byte[] to = new byte[KEY_BYTES];
    prefix(from, partition, bucket);
    prefix(to, partition, bucket + 1);
    return count(from, to);
  }

  /** The keys held for {@code partition}, counted by iterating. */
  long keys(int partition) {
    byte[] from = new byte[KEY_BYTES];
    byte[] to = new byte[KEY_BYTES];
    prefix(from, partition, Long.MIN_VALUE);
    prefix(to, partition + 1, Long.MIN_VALUE);
    return count(from, to);
  }

  private long count(byte[] from, byte[] to) {
    if (closed) {
      throw new IllegalStateException("the dedup spill store is closed");
    }
    long n = 0;
    try (RocksIterator it = db.newIterator(readOptions)) {
      for (it.seek(from); it.isValid() && compare(it.key(), to) < 0; it.next()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Bytes of table files on disk after flushing the memtables and compacting (for measuring the
   * size per id).
   */
  long compactedBytes() throws RocksDBException {
    open();
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.flush(flush);
    }
    db.compactRange();
    return liveBytes();
  }

  /** Bytes of the live table files (without a flush or compaction). */
  long liveBytes() throws RocksDBException {
    open();
    return db.getLongProperty("rocksdb.live-sst-files-size");
  }

  private static int compare(byte[] a, byte[] b) {
    return java.util.Arrays.compareUnsigned(a, b);
  }

  private static void key(byte[] into, int partition, long bucket, long hi, long lo) {
    if (hi == 0 && lo == 0) {
      lo = 1; // as IdTable stores it
    }
    prefix(into, partition, bucket);
    putLong(into, 12, hi);
    putLong(into, 20, lo);
  }

  /** The first key of the bucket: partition, bucket, then zeros. */
  private static void prefix(byte[] into, int partition, long bucket) {
    into[0] = (byte) (partition >>> 24);
    into[1] = (byte) (partition >>> 16);
    into[2] = (byte) (partition >>> 8);
    into[3] = (byte) partition;
    putLong(into, 4, bucket ^ Long.MIN_VALUE);
    java.util.Arrays.fill(into, 12, KEY_BYTES, (byte) 0);
  }

  private static void putLong(byte[] into, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      into[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static long getLong(byte[] from, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (from[at + i] & 0xFF);
    }
    return v;
  }

  /** Fails once closed: the native store must not be used after it (it would crash the JVM). */
  private void open() throws RocksDBException {
    if (closed) {
      throw new RocksDBException("the dedup spill store is closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      db.close();
      closeOptions();
    }
  }

  private void closeOptions() {
    readOptions.close();
    writeOptions.close();
    ingestOptions.close();
    options.close();
  }
}
