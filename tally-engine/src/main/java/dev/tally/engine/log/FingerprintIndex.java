package dev.tally.engine.log;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.LongPredicate;

/**
 * A duplicate index that is exact by verification: a hash multimap from a 64-bit fingerprint of an
 * event's identity to the log positions of events with that fingerprint. It never decides alone;
 * {@link #anyMatch} offers every stored position whose fingerprint equals the query to a caller's
 * check (typically: read the record at that position and compare identities), so a fingerprint
 * collision costs one extra check and never a false "duplicate".
 *
 * <p><b>Guarantees.</b> Every {@code (fingerprint, position)} pair put and not removed is offered
 * by {@code anyMatch} for that fingerprint (including fingerprint {@code 0}); putting the same pair
 * twice stores it once. The one departure from exact fingerprint matching: fingerprint 0 is stored
 * as a fixed substitute value, so queries for 0 and for that value are offered each other's
 * positions too; the verification makes that harmless.
 *
 * <p><b>Cost.</b> Open addressing with linear probing in two primitive {@code long[]} arrays (no
 * boxing), doubling when the load exceeds 0.7: 16 bytes per slot, so about 16 / 0.7 ≈ 23 bytes per
 * entry just after growth and up to 46 just after a doubling. {@link #memoryBytes()} reports the
 * exact figure.
 *
 * <p><b>Not thread-safe.</b> Use from one thread (the ingest writer), or guard externally. The
 * check passed to {@code anyMatch} and the predicate passed to {@code removeIf} must not modify
 * this index.
 */
public final class FingerprintIndex {

  /** Stored in place of fingerprint 0, because key 0 marks an empty slot. */
  static final long ZERO_SUBSTITUTE = 0x9E3779B97F4A7C15L;

  private static final long FINGERPRINT_SEED = 0x7A11_7A11_5EED_0001L;
  private static final long SLOT_MIX = 0x9E3779B97F4A7C15L;
  private static final double MAX_LOAD = 0.7;
  private static final int MIN_CAPACITY = 16;
  private static final int MAX_CAPACITY = 1 << 30;
  private static final int MAGIC = 0x54465049; // "TFPI"
  private static final int VERSION = 1;
  private static final int IO_CHUNK_ENTRIES = 4096;

  private long[] keys;
  private long[] values;
  private int mask;
  private int shift;
  private int resizeAt;
  private long probedOnLastRead;
  private int size;

  /** Creates an empty index. */
  public FingerprintIndex() {
    this(0);
  }

  /**
   * Creates an empty index sized to hold {@code expectedEntries} without growing.
   *
   * @throws IllegalArgumentException if {@code expectedEntries} is negative or too large
   */
  public FingerprintIndex(int expectedEntries) {
    if (expectedEntries < 0) {
      throw new IllegalArgumentException("expectedEntries must not be negative: " + expectedEntries);
    }
    long needed = (long) Math.ceil(expectedEntries / MAX_LOAD) + 1;
    if (needed > MAX_CAPACITY) {
      throw new IllegalArgumentException("expectedEntries too large: " + expectedEntries);
    }
    allocate(Math.max(MIN_CAPACITY, Integer.highestOneBit((int) Math.max(1, needed - 1)) << 1));
  }

  /**
   * The fingerprint of an identity made of three byte strings (for example tenant, customer and
   * event id): XXH64 chained over the three, each step seeded with the previous result, so the
   * length of each part is mixed in and {@code ("ab", "c")} and {@code ("a", "bc")} differ. Stable
   * across processes and versions of this class (it is persisted in checkpoints). Not a
   * cryptographic hash: crafted collisions only cost extra verifications.
   */
  public static long fingerprint(byte[] a, byte[] b, byte[] c) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(c, "c");
    long h = XxHash64.hash(a, FINGERPRINT_SEED);
    h = XxHash64.hash(b, h);
    return XxHash64.hash(c, h);
  }

  /**
   * Adds a {@code (fingerprint, position)} pair; adding a pair already present does nothing.
   *
   * @throws IllegalStateException if the index would exceed 2^30 slots (a {@link DedupIndex} never
   *     lets its memory tier get there: it spills to disk first)
   */
  public void put(long fingerprint, long position) {
    putKey(keyOf(fingerprint), position);
  }

  /**
   * Offers each position stored under {@code fingerprint} to {@code verifyPosition}, stopping at
   * the first it accepts.
   *
   * @return whether some stored position was accepted
   */
  public boolean anyMatch(long fingerprint, LongPredicate verifyPosition) {
    Objects.requireNonNull(verifyPosition, "verifyPosition");
    long key = keyOf(fingerprint);
    long[] k = keys;
    for (int i = slot(key); k[i] != 0; i = (i + 1) & mask) {
      if (k[i] == key && verifyPosition.test(values[i])) {
        return true;
      }
    }
    return false;
  }

  /** Number of stored pairs. */
  public int size() {
    return size;
  }

  /** Bytes held by the backing arrays (the index's memory cost, object headers aside). */
  public long memoryBytes() {
    return 16L * keys.length;
  }

  /** Number of slots (a power of two). */
  int capacity() {
    return keys.length;
  }

  /** Whether the next {@link #put} of a new pair doubles the table first. */
  boolean growsOnNextPut() {
    return size >= resizeAt;
  }

  /** The largest table this class can hold (2^30 slots); {@link DedupIndex} spills before it. */
  static int maxCapacity() {
    return MAX_CAPACITY;
  }

  /**
   * The order a {@link DedupSlice} stores keys in: the stored key multiplied by the slot mix, compared
   * unsigned. A bijection of the key (the multiplier is odd), whose top bits are the home slot.
   */
  static long sortKey(long fingerprint) {
    return keyOf(fingerprint) * SLOT_MIX;
  }

  /** Receives pairs in {@link #forEachSorted}. */
  interface PairSink {
    void accept(long sortKey, long position) throws IOException;
  }

  /**
   * Visits every pair in ascending unsigned {@link #sortKey} order in one pass over the table, without
   * a copy: with linear probing an entry's home slot (the top bits of its sort key) lies in its own
   * run of occupied slots, so sorting each run is enough; the run that wraps around the end of the
   * table is split by home slot. Read-only, so other threads may read the index meanwhile.
   */
  void forEachSorted(PairSink sink) throws IOException {
    if (size == 0) {
      return;
    }
    int cap = keys.length;
    int e0 = 0;
    while (keys[e0] != 0) {
      e0++;
    }
    int ls = cap;
    while (keys[ls - 1] != 0) {
      ls--;
    }
    // the runs touching both ends of the array, as one (they wrap)
    int wrapped = e0 + (cap - ls);
    long[] wk = new long[wrapped];
    long[] wv = new long[wrapped];
    int n = 0;
    for (int i = 0; i < e0; i++, n++) {
      wk[n] = keys[i] * SLOT_MIX;
      wv[n] = values[i];
    }
    for (int i = ls; i < cap; i++, n++) {
      wk[n] = keys[i] * SLOT_MIX;
      wv[n] = values[i];
    }
    sortRun(wk, wv, n);
    int split = 0;
    while (split < n && (int) (wk[split] >>> shift) < ls) {
      split++;
    }
    for (int i = 0; i < split; i++) {
      sink.accept(wk[i], wv[i]);
    }
    long[] rk = new long[64];
    long[] rv = new long[64];
    for (int i = e0; i < ls; ) {
      if (keys[i] == 0) {
        i++;
        continue;
      }
      int m = 0;
      for (; keys[i] != 0; i++, m++) {
        if (m == rk.length) {
          rk = java.util.Arrays.copyOf(rk, m * 2);
          rv = java.util.Arrays.copyOf(rv, m * 2);
        }
        rk[m] = keys[i] * SLOT_MIX;
        rv[m] = values[i];
      }
      sortRun(rk, rv, m);
      for (int j = 0; j < m; j++) {
        sink.accept(rk[j], rv[j]);
      }
    }
    for (int i = split; i < n; i++) {
      sink.accept(wk[i], wv[i]);
    }
  }

  /** Sorts the first n pairs by unsigned key: insertion sort for short runs, heapsort otherwise. */
  private static void sortRun(long[] k, long[] v, int n) {
    if (n <= 48) {
      for (int i = 1; i < n; i++) {
        long key = k[i];
        long val = v[i];
        int j = i - 1;
        for (; j >= 0 && Long.compareUnsigned(k[j], key) > 0; j--) {
          k[j + 1] = k[j];
          v[j + 1] = v[j];
        }
        k[j + 1] = key;
        v[j + 1] = val;
      }
      return;
    }
    for (int i = n / 2 - 1; i >= 0; i--) {
      siftDown(k, v, i, n);
    }
    for (int end = n - 1; end > 0; end--) {
      swap(k, v, 0, end);
      siftDown(k, v, 0, end);
    }
  }

  private static void siftDown(long[] k, long[] v, int i, int n) {
    while (true) {
      int c = 2 * i + 1;
      if (c >= n) {
        return;
      }
      if (c + 1 < n && Long.compareUnsigned(k[c + 1], k[c]) > 0) {
        c++;
      }
      if (Long.compareUnsigned(k[i], k[c]) >= 0) {
        return;
      }
      swap(k, v, i, c);
      i = c;
    }
  }

  private static void swap(long[] k, long[] v, int a, int b) {
    long t = k[a];
    k[a] = k[b];
    k[b] = t;
    t = v[a];
    v[a] = v[b];
    v[b] = t;
  }

  /**
   * Removes every pair whose position matches, in one sweep over the table (for example positions
   * in segments past the dedup window). The others stay findable: removal shifts later entries of
   * a probe run back (backward-shift deletion), so no tombstones are left. Capacity is kept.
   *
   * @return the number of pairs removed
   */
  public int removeIf(LongPredicate positionPredicate) {
    Objects.requireNonNull(positionPredicate, "positionPredicate");
    if (size == 0) {
      return 0;
    }
    // Start just after an empty slot, so no probe run wraps across the start of the sweep: an
    // entry only ever moves backwards within its run, into the slot being examined or into a hole
    // ahead of it, so every entry is examined exactly once.
    int start = 0;
    while (keys[start] != 0) {
      start++;
    }
    int removed = 0;
    int i = (start + 1) & mask;
    for (int examined = 0; examined < keys.length; ) {
      if (keys[i] != 0 && positionPredicate.test(values[i])) {
        deleteAt(i);
        removed++;
        continue; // slot i may now hold an entry shifted back from later in the run
      }
      i = (i + 1) & mask;
      examined++;
    }
    return removed;
  }

  /**
   * Writes the index as a checkpoint: magic, version, count, the pairs, and a checksum.
   *
   * @throws UncheckedIOException if the output fails
   */
  public void writeTo(DataOutput out) {
    writeTo(out, p -> true);
  }

  /**
   * Writes, in the format of {@link #writeTo(DataOutput)}, only the pairs whose position matches (an
   * incremental checkpoint: the pairs put since the last one). Two sweeps over the table: one to count.
   *
   * @throws UncheckedIOException if the output fails
   */
  public void writeTo(DataOutput out, LongPredicate positionFilter) {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(positionFilter, "positionFilter");
    int count = 0;
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != 0 && positionFilter.test(values[i])) {
        count++;
      }
    }
    try {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(count);
      ByteBuffer chunk = ByteBuffer.allocate(IO_CHUNK_ENTRIES * 16);
      long check = checksumSeed(count);
      for (int i = 0; i < keys.length; i++) {
        long key = keys[i];
        if (key != 0 && positionFilter.test(values[i])) {
          chunk.putLong(key).putLong(values[i]);
          check = checksum(check, key, values[i]);
          if (!chunk.hasRemaining()) {
            out.write(chunk.array(), 0, chunk.position());
            chunk.clear();
          }
        }
      }
      out.write(chunk.array(), 0, chunk.position());
      out.writeLong(check);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write fingerprint index: " + e.getMessage(), e);
    }
  }

  /**
   * Reads an index written by {@link #writeTo}.
   *
   * @throws UncheckedIOException if the input fails, or (wrapping a {@link
   *     StreamCorruptedException}) if it is not a valid checkpoint or its checksum does not match
   */
  public static FingerprintIndex readFrom(DataInput in) {
    return readInto(in, null);
  }

  /**
   * Adds the pairs of an index written by {@link #writeTo} (for example an incremental checkpoint's) to this one.
   *
   * @throws UncheckedIOException as {@link #readFrom}
   */
  public void putAll(DataInput in) {
    readInto(in, this);
  }

  private static FingerprintIndex readInto(DataInput in, FingerprintIndex target) {
    Objects.requireNonNull(in, "in");
    try {
      int magic = in.readInt();
      if (magic != MAGIC) {
        throw new StreamCorruptedException("not a fingerprint index checkpoint");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new StreamCorruptedException("unsupported fingerprint index version " + version);
      }
      int count = in.readInt();
      FingerprintIndex index = target;
      if (index == null) {
        try {
          index = new FingerprintIndex(count);
        } catch (IllegalArgumentException e) {
          throw new StreamCorruptedException("invalid fingerprint index size " + count);
        }
      } else if (count < 0) {
        throw new StreamCorruptedException("invalid fingerprint index size " + count);
      } else {
        // grow first: the pairs come in the slot order of the table that wrote them, so adding them to a table
        // that grows on the way piles them into its first slots (probes longer than the whole table's)
        index.reserve(count);
      }
      byte[] bytes = new byte[IO_CHUNK_ENTRIES * 16];
      ByteBuffer chunk = ByteBuffer.wrap(bytes);
      long check = checksumSeed(count);
      long probed = 0;
      for (int left = count; left > 0; ) {
        int n = Math.min(left, IO_CHUNK_ENTRIES);
        in.readFully(bytes, 0, n * 16);
        for (int j = 0; j < n; j++) {
          long key = chunk.getLong(j * 16);
          long value = chunk.getLong(j * 16 + 8);
          if (key == 0) {
            throw new StreamCorruptedException("fingerprint index checkpoint holds an empty key");
          }
          check = checksum(check, key, value);
          probed += index.putKey(key, value);
        }
        left -= n;
      }
      if (in.readLong() != check) {
        throw new StreamCorruptedException("fingerprint index checkpoint checksum mismatch");
      }
      index.probedOnLastRead = probed;
      return index;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fingerprint index: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- internals

  private static long keyOf(long fingerprint) {
    return fingerprint == 0 ? ZERO_SUBSTITUTE : fingerprint;
  }

  /** Home slot: Fibonacci hashing on the high bits, so even sequential keys spread out. */
  private int slot(long key) {
    return (int) ((key * SLOT_MIX) >>> shift);
  }

  /** Adds the pair unless present; returns how many occupied slots it probed past. */
  private int putKey(long key, long position) {
    if (size >= resizeAt) {
      grow();
    }
    long[] k = keys;
    int i = slot(key);
    int probed = 0;
    for (; k[i] != 0; i = (i + 1) & mask, probed++) {
      if (k[i] == key && values[i] == position) {
        return probed;
      }
    }
    k[i] = key;
    values[i] = position;
    size++;
    return probed;
  }

  private void deleteAt(int slot) {
    int hole = slot;
    int j = slot;
    while (true) {
      j = (j + 1) & mask;
      long key = keys[j];
      if (key == 0) {
        break;
      }
      int home = slot(key);
      // The entry at j may fill the hole iff the hole lies on its probe path [home, j).
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        keys[hole] = key;
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = 0;
    values[hole] = 0;
    size--;
  }

  /** Occupied slots probed past while adding the pairs of the last read or {@link #putAll} (tests). */
  long probedOnLastRead() {
    return probedOnLastRead;
  }

  /** Grows until {@code more} pairs fit without growing again. */
  private void reserve(int more) {
    while ((long) size + more >= resizeAt && keys.length < MAX_CAPACITY) {
      grow();
    }
  }

  private void grow() {
    if (keys.length >= MAX_CAPACITY) {
      throw new IllegalStateException("fingerprint index is full (" + size + " entries)");
    }
    long[] oldKeys = keys;
    long[] oldValues = values;
    allocate(oldKeys.length << 1);
    for (int i = 0; i < oldKeys.length; i++) {
      long key = oldKeys[i];
      if (key != 0) {
        int s = slot(key);
        while (keys[s] != 0) {
          s = (s + 1) & mask;
        }
        keys[s] = key;
        values[s] = oldValues[i];
      }
    }
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    values = new long[capacity];
    mask = capacity - 1;
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
    resizeAt = (int) (capacity * MAX_LOAD);
  }

  private static long checksumSeed(int count) {
    return 0x5EED_C4EC_0000_0000L ^ count;
  }

  private static long checksum(long check, long key, long value) {
    long h = Long.rotateLeft(check ^ (key * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B185EBCA87L;
    return Long.rotateLeft(h ^ (value * 0xC2B2AE3D27D4EB4FL), 27) * 0x9E3779B185EBCA87L;
  }
}
