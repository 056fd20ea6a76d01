package dev.tally.engine.log;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.LongPredicate;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * One immutable file of the duplicate index's disk tier: the pairs of a spilled memory tier, sorted by
 * {@link FingerprintIndex#sortKey}, behind a blocked Bloom filter, memory-mapped read-only.
 *
 * <p>Layout (big-endian): a 64-byte header (magic, version, sequence number, pair count, Bloom
 * blocks, newest and oldest retention times in epoch seconds), the Bloom filter (64-byte blocks), the pairs (sort
 * key, position; 16 bytes each), and a CRC32C of everything before it. Written to a temporary file,
 * fsynced, renamed, and the directory fsynced, so a crash leaves either no slice or a whole one; a
 * slice whose checksum does not match is refused when opened.
 *
 * <p>A lookup reads one 64-byte Bloom block (six bits of it); only when all are set does it binary
 * search the pairs. About 16 Bloom bits per pair: well under 1% false positives.
 */
final class DedupSlice {
  private static final int MAGIC = 0x54445331; // "TDS1"
  private static final int VERSION = 1;
  static final int HEADER = 64;
  private static final int BLOOM_BITS_PER_KEY = 16;
  private static final int CHUNK_SHIFT = 30;
  private static final long CHUNK_MASK = (1L << CHUNK_SHIFT) - 1;

  private final Path file;
  private final long seq;
  private final long count;
  private final long blocks;
  private final long maxTime;
  private final long minTime;
  private final long pairsAt;
  private final long fileBytes;
  private final MappedByteBuffer[] chunks;

  private DedupSlice(Path file, long seq, long count, long blocks, long minTime, long maxTime, long fileBytes,
      MappedByteBuffer[] chunks) {
    this.minTime = minTime;
    this.file = file;
    this.seq = seq;
    this.count = count;
    this.blocks = blocks;
    this.maxTime = maxTime;
    this.pairsAt = HEADER + blocks * 64;
    this.fileBytes = fileBytes;
    this.chunks = chunks;
  }

  static String fileName(long seq) {
    return String.format("dedup-%012d.slice", seq);
  }

  /** Pairs in ascending unsigned sort-key order. */
  interface SortedPairs {
    void forEachSorted(FingerprintIndex.PairSink sink) throws IOException;
  }

  /**
   * Writes {@code tier} as slice {@code seq} in {@code dir} (temp file, fsync, rename, directory
   * fsync) and opens it. Reads {@code tier} only.
   */
  static DedupSlice write(Path dir, long seq, FingerprintIndex tier, long minTime, long maxTime)
      throws IOException {
    return write(dir, seq, tier.size(), tier::forEachSorted, minTime, maxTime);
  }

  /** Writes the pairs of two slices as one new slice {@code seq} (they stay as they are). */
  static DedupSlice merge(Path dir, long seq, DedupSlice a, DedupSlice b) throws IOException {
    SortedPairs both = sink -> {
      long i = 0;
      long j = 0;
      while (i < a.count || j < b.count) {
        boolean fromA = j >= b.count || (i < a.count && Long.compareUnsigned(a.keyAt(i), b.keyAt(j)) <= 0);
        if (fromA) {
          sink.accept(a.keyAt(i), a.positionAt(i));
          i++;
        } else {
          sink.accept(b.keyAt(j), b.positionAt(j));
          j++;
        }
      }
    };
    return write(dir, seq, a.count + b.count, both, Math.min(a.minTime, b.minTime),
        Math.max(a.maxTime, b.maxTime));
  }

  private static DedupSlice write(Path dir, long seq, long count, SortedPairs pairs, long minTime,
      long maxTime) throws IOException {
    long blocks = Math.max(1, (count * BLOOM_BITS_PER_KEY + 511) / 512);
    if (blocks * 8 > Integer.MAX_VALUE - 8) {
      throw new IOException("slice too large: " + count + " pairs");
    }
    long[] bloom = new long[(int) (blocks * 8)];
    pairs.forEachSorted((key, position) -> addToBloom(bloom, blocks, key));
    Path target = dir.resolve(fileName(seq));
    Path tmp = dir.resolve(fileName(seq) + ".tmp");
    CRC32C crc = new CRC32C();
    try (OutputStream raw = Channels.newOutputStream(dev.tally.engine.secrets.PrivateFiles.open(tmp,
            StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 20), crc);
        DataOutputStream out = new DataOutputStream(checked)) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeLong(seq);
      out.writeLong(count);
      out.writeLong(blocks);
      out.writeLong(maxTime);
      out.writeLong(minTime);
      out.write(new byte[HEADER - 48]);
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      for (long word : bloom) {
        if (!buf.hasRemaining()) {
          out.write(buf.array(), 0, buf.position());
          buf.clear();
        }
        buf.putLong(word);
      }
      out.write(buf.array(), 0, buf.position());
      buf.clear();
      long[] written = {0};
      pairs.forEachSorted((key, position) -> {
        if (!buf.hasRemaining()) {
          out.write(buf.array(), 0, buf.position());
          buf.clear();
        }
        buf.putLong(key).putLong(position);
        written[0]++;
      });
      out.write(buf.array(), 0, buf.position());
      if (written[0] != count) {
        throw new IOException("the pairs changed while they were written");
      }
      out.flush();
      out.writeLong(crc.getValue());
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(dir);
    return open(target);
  }

  static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // not supported on every platform; the rename itself is atomic
    }
  }

  /**
   * Opens and verifies a slice file.
   *
   * @throws IOException if it cannot be read or is not an intact slice
   */
  static DedupSlice open(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < HEADER + 8) {
        throw new IOException(file + " is too short for a dedup slice");
      }
      MappedByteBuffer[] chunks = new MappedByteBuffer[(int) ((size + CHUNK_MASK) >>> CHUNK_SHIFT)];
      for (int i = 0; i < chunks.length; i++) {
        long from = (long) i << CHUNK_SHIFT;
        chunks[i] = ch.map(FileChannel.MapMode.READ_ONLY, from, Math.min(1L << CHUNK_SHIFT, size - from));
      }
      CRC32C crc = new CRC32C();
      long left = size - 8;
      for (MappedByteBuffer c : chunks) {
        ByteBuffer part = c.duplicate();
        part.limit((int) Math.min(part.capacity(), left));
        left -= part.remaining();
        crc.update(part);
        if (left == 0) {
          break;
        }
      }
      DedupSlice probe = new DedupSlice(file, 0, 0, 0, 0, 0, size, chunks);
      if (probe.longAt(size - 8) != crc.getValue()) {
        throw new IOException(file + " fails its checksum");
      }
      ByteBuffer h = chunks[0].duplicate();
      if (h.getInt(0) != MAGIC || h.getInt(4) != VERSION) {
        throw new IOException(file + " is not a dedup slice");
      }
      long seq = h.getLong(8);
      long count = h.getLong(16);
      long blocks = h.getLong(24);
      long maxTime = h.getLong(32);
      long minTime = h.getLong(40);
      if (count < 0 || blocks < 1 || HEADER + blocks * 64 + count * 16 + 8 != size) {
        throw new IOException(file + " has an inconsistent header");
      }
      return new DedupSlice(file, seq, count, blocks, minTime, maxTime, size, chunks);
    }
  }

  long seq() {
    return seq;
  }

  long count() {
    return count;
  }

  long maxTime() {
    return maxTime;
  }

  long minTime() {
    return minTime;
  }

  long fileBytes() {
    return fileBytes;
  }

  Path file() {
    return file;
  }

  /** Offers every position stored under this sort key to {@code verify}; true at the first it accepts. */
  boolean anyMatch(long sortKey, LongPredicate verify) {
    if (!mightContain(sortKey)) {
      return false;
    }
    long lo = 0;
    long hi = count;
    while (lo < hi) { // first pair whose key is >= sortKey
      long mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(keyAt(mid), sortKey) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (long i = lo; i < count && keyAt(i) == sortKey; i++) {
      if (verify.test(longAt(pairsAt + i * 16 + 8))) {
        return true;
      }
    }
    return false;
  }

  private long keyAt(long i) {
    return longAt(pairsAt + i * 16);
  }

  private long positionAt(long i) {
    return longAt(pairsAt + i * 16 + 8);
  }

  private long longAt(long offset) {
    return chunks[(int) (offset >>> CHUNK_SHIFT)].getLong((int) (offset & CHUNK_MASK));
  }

  boolean mightContain(long sortKey) {
    long h = bloomHash(sortKey);
    long block = HEADER + Math.unsignedMultiplyHigh(sortKey, blocks) * 64;
    for (int j = 0; j < 6; j++) {
      int bit = (int) (h >>> (j * 9)) & 511;
      if ((longAt(block + (bit >>> 6) * 8L) & (1L << (bit & 63))) == 0) {
        return false;
      }
    }
    return true;
  }

  private static void addToBloom(long[] bloom, long blocks, long sortKey) {
    long h = bloomHash(sortKey);
    int block = (int) Math.unsignedMultiplyHigh(sortKey, blocks) * 8;
    for (int j = 0; j < 6; j++) {
      int bit = (int) (h >>> (j * 9)) & 511;
      bloom[block + (bit >>> 6)] |= 1L << (bit & 63);
    }
  }

  private static long bloomHash(long sortKey) {
    long h = sortKey ^ (sortKey >>> 33);
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }

  /** Deletes the file (the mapping goes with this object). */
  void delete() throws IOException {
    Files.deleteIfExists(file);
  }
}
