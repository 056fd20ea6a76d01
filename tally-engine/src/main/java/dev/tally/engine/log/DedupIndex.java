package dev.tally.engine.log;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The duplicate index bounded by the dedup window, with no hard cap: a {@link FingerprintIndex} in
 * memory up to a byte budget, and beyond it a disk tier of immutable, memory-mapped {@link
 * DedupSlice} files (sorted pairs behind a Bloom filter each).
 *
 * <p><b>Guarantees.</b> Every {@code (fingerprint, position)} put is offered by {@link #anyMatch}
 * until every pair of its tier is older than the window: a pair is kept at least {@code window}
 * after its retention time (the caller passes the later of the event's time and its arrival), and is
 * released only with its whole tier — a log segment's pairs in memory (once the segment's newest
 * retention time left the window), a slice's pairs on disk (once the slice's newest did). Like the
 * in-memory index it never decides alone: the caller verifies each offered position against the log,
 * so a fingerprint collision or a Bloom false positive costs a read, never a false duplicate. It never
 * refuses a put: when the memory tier reaches its budget it is frozen (still read) and written to a
 * new slice by a background thread; if that write fails the frozen tier stays in memory and the write
 * is retried.
 *
 * <p><b>Durability.</b> A slice file is written to a temporary file, fsynced and renamed; {@link
 * #writeTo} (the checkpoint) names the slices it relies on, and {@link #readFrom} reopens exactly
 * those and deletes any other (written after that checkpoint: their pairs are in the checkpoint's
 * memory tier or in the log replayed after it). {@link #reset} deletes the disk tier, for a replay of
 * the whole log.
 *
 * <p><b>Threads.</b> One thread (the ingest writer) calls every method; the spill thread only reads a
 * frozen tier and writes its file.
 */
public final class DedupIndex implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DedupIndex.class);
  /** Object headers and mappings of one slice held in heap (an estimate; its data is mapped, not in heap). */
  static final long SLICE_HEAP_BYTES = 512;
  private static final long MAINTAIN_EVERY_MILLIS = 1000;
  private static final int PUTS_PER_CLOCK_READ = 1024;
  /** Slices are merged once there are more than this many. */
  static final int MERGE_ABOVE = 4;

  private final Path dir;
  private final long windowSeconds;
  private final int maxSlots;
  private final Clock clock;
  private final ExecutorService spiller;

  private FingerprintIndex memory = new FingerprintIndex();
  /** Newest retention time (epoch seconds) per log segment with pairs in the memory tier. */
  private Map<Integer, Long> memorySegments = new HashMap<>();
  private long memoryMaxTime = Long.MIN_VALUE;
  private long memoryMinTime = Long.MAX_VALUE;
  /** A cache of {@code memorySegments}' entry put to last (-1: none). */
  private int lastSegment = -1;
  private long lastSegmentMax;
  /** Frozen memory tiers being written to slices, oldest first. */
  private final List<Frozen> frozen = new ArrayList<>();
  /** The disk tier, newest first. */
  private final List<DedupSlice> slices = new ArrayList<>();
  /** A merge of two adjacent slices in flight (null: none). */
  private CompletableFuture<DedupSlice> merging;
  private DedupSlice mergeA;
  private DedupSlice mergeB;
  /** Slices merged into another, deleted once a checkpoint that no longer names them is durable. */
  private final List<DedupSlice> mergedAway = new ArrayList<>();
  private List<DedupSlice> deletableAfterCheckpoint = List.of();
  /** Since the last durable checkpoint: whether the memory tier was frozen (replaced by an empty one). */
  private boolean memoryReplacedSinceCheckpoint;
  /** Since the last durable checkpoint: the log segments whose pairs were released from the memory tier. */
  private final Set<Integer> releasedSinceCheckpoint = new HashSet<>();
  private long nextSeq = 1;
  private long nextMaintain;
  private int putsSinceClock;
  /** Retention times before this (epoch seconds) are past the window; as of the last {@link #maintain}. */
  private long cutoff;

  private static final class Frozen {
    final FingerprintIndex tier;
    final long maxTime;
    final long minTime;
    final long seq;
    CompletableFuture<DedupSlice> written;

    Frozen(FingerprintIndex tier, long minTime, long maxTime, long seq) {
      this.tier = tier;
      this.minTime = minTime;
      this.maxTime = maxTime;
      this.seq = seq;
    }
  }

  /** What the index holds, per tier. */
  public record Stats(long memoryIds, long memoryHeapBytes, long diskIds, long diskHeapBytes, long diskFileBytes,
      int slices) {
  }

  /**
   * An index whose disk tier lives in {@code dir} (created if needed; leftover temporary files are
   * removed, slices are only opened by {@link #readFrom}).
   *
   * @param window how long a pair is kept after its retention time
   * @param memoryBytes the memory tier's budget (its table never grows beyond it; at least 256)
   */
  public DedupIndex(Path dir, Duration window, long memoryBytes, Clock clock) {
    this.dir = Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(window, "window");
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("the dedup window must be positive");
    }
    if (memoryBytes < 256) {
      throw new IllegalArgumentException("the dedup memory budget must be at least 256 bytes");
    }
    this.windowSeconds = window.toSeconds();
    long slots = Long.highestOneBit(memoryBytes / 16);
    this.maxSlots = (int) Math.min(slots, FingerprintIndex.maxCapacity());
    this.clock = Objects.requireNonNull(clock, "clock");
    this.cutoff = clock.instant().getEpochSecond() - windowSeconds;
    this.spiller = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tally-dedup-spill");
      t.setDaemon(true);
      return t;
    });
    try {
      dev.tally.engine.secrets.PrivateFiles.directory(dir);
      try (DirectoryStream<Path> tmp = Files.newDirectoryStream(dir, "*.tmp")) {
        for (Path p : tmp) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the dedup directory " + dir, e);
    }
  }

  /**
   * Offers every position stored under {@code fingerprint} in any tier to {@code verify} (memory
   * first, then the frozen tiers, then the slices newest first), stopping at the first it accepts.
   */
  public boolean anyMatch(long fingerprint, LongPredicate verify) {
    if (memory.anyMatch(fingerprint, verify)) {
      return true;
    }
    for (int i = frozen.size() - 1; i >= 0; i--) {
      if (frozen.get(i).tier.anyMatch(fingerprint, verify)) {
        return true;
      }
    }
    if (slices.isEmpty()) {
      return false;
    }
    long key = FingerprintIndex.sortKey(fingerprint);
    for (DedupSlice s : slices) {
      if (s.anyMatch(key, verify)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Remembers a pair; {@code retainFrom} (epoch seconds) starts its window (a pair already past it is
   * not kept). Never refuses: a full memory tier is spilled to disk first.
   */
  public void put(long fingerprint, long position, long retainFrom) {
    if (retainFrom < cutoff) {
      return; // already past the window (a replay of old history): it would be released at once
    }
    if (memory.growsOnNextPut() && memory.capacity() >= maxSlots) {
      freeze();
    }
    memory.put(fingerprint, position);
    int segment = segmentOf(position);
    if (segment != lastSegment || retainFrom > lastSegmentMax) { // most puts: same segment, same second
      lastSegmentMax = memorySegments.merge(segment, retainFrom, Math::max);
      lastSegment = segment;
    }
    memoryMaxTime = Math.max(memoryMaxTime, retainFrom);
    memoryMinTime = Math.min(memoryMinTime, retainFrom);
    if (++putsSinceClock >= PUTS_PER_CLOCK_READ) { // reading the clock on every put costs more than the put
      putsSinceClock = 0;
      long now = clock.millis();
      if (now >= nextMaintain) {
        nextMaintain = now + MAINTAIN_EVERY_MILLIS;
        maintain();
      }
    }
  }

  /** Installs finished slices, retries failed spills and releases tiers that left the window. */
  public void maintain() {
    cutoff = clock.instant().getEpochSecond() - windowSeconds;
    collectSpills(false);
    if (merging != null && (mergeA.maxTime() < cutoff || mergeB.maxTime() < cutoff)) {
      merging.exceptionally(e -> null).join(); // release what the merge holds as soon as it is in place
      installMerge();
    }
    // merged away and past the window: a checkpoint naming them accepts them missing
    mergedAway.removeIf(s -> s.maxTime() < cutoff && deleted(s));
    slices.removeIf(s -> {
      if (s.maxTime() >= cutoff || (merging != null && (s == mergeA || s == mergeB))) {
        return false;
      }
      try {
        s.delete();
        LOG.info("released dedup slice {} ({} ids past the window)", s.seq(), s.count());
        return true;
      } catch (IOException e) {
        LOG.warn("cannot delete {}; retrying later", s.file(), e);
        return false;
      }
    });
    Set<Integer> expired = new HashSet<>();
    for (Map.Entry<Integer, Long> e : memorySegments.entrySet()) {
      if (e.getValue() < cutoff) {
        expired.add(e.getKey());
      }
    }
    if (!expired.isEmpty()) {
      int removed = memory.removeIf(p -> expired.contains(segmentOf(p)));
      memorySegments.keySet().removeAll(expired);
      releasedSinceCheckpoint.addAll(expired);
      lastSegment = -1;
      LOG.info("released {} ids of log segments {} from the dedup memory tier", removed, expired);
    }
    Iterator<Frozen> it = frozen.iterator();
    while (it.hasNext()) {
      Frozen f = it.next();
      if (f.maxTime < cutoff) {
        it.remove(); // even a failed write no longer matters; a file still being written is deleted when done
        f.written.thenAccept(s -> {
          try {
            s.delete();
          } catch (IOException e) {
            LOG.warn("cannot delete {}; it is deleted at the next start", s.file(), e);
          }
        });
      }
    }
  }

  private static boolean deleted(DedupSlice s) {
    try {
      s.delete();
      return true;
    } catch (IOException e) {
      LOG.warn("cannot delete {}; retrying later", s.file(), e);
      return false;
    }
  }

  private static int segmentOf(long position) {
    return (int) (position >>> LogPosition.OFFSET_BITS);
  }

  private void freeze() {
    Frozen f = new Frozen(memory, memoryMinTime, memoryMaxTime, nextSeq++);
    frozen.add(f);
    memoryReplacedSinceCheckpoint = true;
    memory = new FingerprintIndex();
    memorySegments = new HashMap<>();
    lastSegment = -1;
    memoryMaxTime = Long.MIN_VALUE;
    memoryMinTime = Long.MAX_VALUE;
    submit(f);
  }

  private void submit(Frozen f) {
    f.written = CompletableFuture.supplyAsync(() -> {
      try {
        return DedupSlice.write(dir, f.seq, f.tier, f.minTime, f.maxTime);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, spiller);
  }

  /** Moves written spills to the disk tier, oldest first; with {@code wait}, waits for all of them. */
  private void collectSpills(boolean wait) {
    installSpills(wait);
    installMerge();
    startMerge();
  }

  private void installSpills(boolean wait) {
    Iterator<Frozen> it = frozen.iterator();
    while (it.hasNext()) {
      Frozen f = it.next();
      if (!wait && !f.written.isDone()) {
        return; // keep order: a later spill is installed after an earlier one
      }
      try {
        DedupSlice s = f.written.join();
        slices.add(0, s);
        it.remove();
        LOG.info("spilled {} dedup ids to {}", s.count(), s.file().getFileName());
      } catch (RuntimeException e) {
        LOG.error("cannot write dedup slice {}; its ids stay in memory and the write is retried", f.seq, e);
        if (wait) {
          throw new UncheckedIOException(new IOException("cannot write dedup slice " + f.seq, e));
        }
        submit(f);
        return;
      }
    }
  }

  /**
   * Starts merging two adjacent slices when there are more than {@link #MERGE_ABOVE}: the adjacent pair
   * with the fewest ids among those whose merged time span stays within an eighth of the window (so a
   * merged slice keeps its ids at most that much longer than the window). Fewer slices: fewer Bloom
   * blocks read per new id.
   */
  private void startMerge() {
    if (merging != null || slices.size() <= MERGE_ABOVE) {
      return;
    }
    long maxSpan = windowSeconds / 8;
    int best = -1;
    long bestCount = Long.MAX_VALUE;
    for (int i = 0; i + 1 < slices.size(); i++) {
      DedupSlice a = slices.get(i);
      DedupSlice b = slices.get(i + 1);
      long span = Math.max(a.maxTime(), b.maxTime()) - Math.min(a.minTime(), b.minTime());
      if (span <= maxSpan && a.count() + b.count() < bestCount) {
        best = i;
        bestCount = a.count() + b.count();
      }
    }
    if (best < 0) {
      return;
    }
    DedupSlice a = slices.get(best);
    DedupSlice b = slices.get(best + 1);
    long seq = nextSeq++;
    mergeA = a;
    mergeB = b;
    merging = CompletableFuture.supplyAsync(() -> {
      try {
        return DedupSlice.merge(dir, seq, a, b);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, spiller);
  }

  /** Replaces the two merged slices by their merge once it is written. */
  private void installMerge() {
    if (merging == null || !merging.isDone()) {
      return;
    }
    DedupSlice merged;
    try {
      merged = merging.join();
    } catch (RuntimeException e) {
      LOG.warn("cannot merge dedup slices {} and {}; they stay as they are", mergeA.seq(), mergeB.seq(), e);
      merging = null;
      return;
    }
    merging = null;
    int i = slices.indexOf(mergeA);
    if (i < 0 || !slices.contains(mergeB)) { // one left the window meanwhile: not expected, but keep it exact
      try {
        merged.delete();
      } catch (IOException e) {
        LOG.warn("cannot delete {}; it is deleted at the next start", merged.file(), e);
      }
      return;
    }
    slices.set(i, merged);
    slices.remove(mergeB);
    mergedAway.add(mergeA);
    mergedAway.add(mergeB);
    LOG.info("merged dedup slices {} and {} into {} ({} ids)", mergeA.seq(), mergeB.seq(), merged.seq(),
        merged.count());
  }

  /**
   * Tells the index that the checkpoint it last wrote is durable: slices merged away before it are deleted
   * (a crash before this leaves them for that older checkpoint, which names them).
   */
  public void checkpointed() {
    for (DedupSlice s : deletableAfterCheckpoint) {
      try {
        s.delete();
        mergedAway.remove(s);
      } catch (IOException e) {
        LOG.warn("cannot delete {}; retrying after the next checkpoint", s.file(), e);
      }
    }
    deletableAfterCheckpoint = List.of();
    memoryReplacedSinceCheckpoint = false;
    releasedSinceCheckpoint.clear();
  }

  /** Waits until no merge is in flight or due (tests and benchmarks). */
  void settle() {
    collectSpills(true);
    while (merging != null) {
      merging.exceptionally(e -> null).join();
      collectSpills(true);
    }
  }

  /** Counts and sizes per tier. */
  public Stats stats() {
    long memIds = memory.size();
    long memBytes = memory.memoryBytes();
    for (Frozen f : frozen) {
      memIds += f.tier.size();
      memBytes += f.tier.memoryBytes();
    }
    long diskIds = 0;
    long fileBytes = 0;
    for (DedupSlice s : slices) {
      diskIds += s.count();
      fileBytes += s.fileBytes();
    }
    return new Stats(memIds, memBytes, diskIds, SLICE_HEAP_BYTES * slices.size(), fileBytes, slices.size());
  }

  /**
   * Writes the index's state for a checkpoint: the slices it relies on and the memory tier. Waits
   * for spills in flight first, so every frozen tier is named as a slice.
   *
   * @throws UncheckedIOException if a spill cannot be written or the output fails
   */
  public void writeTo(DataOutput out) {
    collectSpills(true);
    deletableAfterCheckpoint = new ArrayList<>(mergedAway);
    try {
      out.writeInt(DedupImage.MAGIC);
      out.writeInt(DedupImage.VERSION);
      DedupImage.writeHeader(out, nextSeq, sliceRefs(), memoryMaxTime, memoryMinTime, memorySegments);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the dedup index: " + e.getMessage(), e);
    }
    memory.writeTo(out);
  }

  /**
   * Writes what changed since the last durable checkpoint (see {@link #checkpointed}), for an incremental one:
   * the slices it relies on (already durable files of their own), the per-segment times, whether the memory
   * tier was replaced, the segments released from it, and only the memory tier's pairs at positions from
   * {@code sincePosition} on (the log position the last checkpoint covered: every pair put since has a later
   * position). {@link DedupImage#applyChanges} reads it. Waits for spills in flight first, like {@link #writeTo}.
   *
   * @throws UncheckedIOException if a spill cannot be written or the output fails
   */
  public void writeChangesTo(DataOutput out, long sincePosition) {
    collectSpills(true);
    deletableAfterCheckpoint = new ArrayList<>(mergedAway);
    try {
      out.writeInt(DedupImage.CHANGES_MAGIC);
      out.writeInt(DedupImage.CHANGES_VERSION);
      DedupImage.writeHeader(out, nextSeq, sliceRefs(), memoryMaxTime, memoryMinTime, memorySegments);
      out.writeBoolean(memoryReplacedSinceCheckpoint);
      out.writeInt(releasedSinceCheckpoint.size());
      for (int segment : releasedSinceCheckpoint) {
        out.writeInt(segment);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the dedup index: " + e.getMessage(), e);
    }
    memory.writeTo(out, p -> p >= sincePosition);
  }

  private List<DedupImage.SliceRef> sliceRefs() {
    List<DedupImage.SliceRef> refs = new ArrayList<>(slices.size());
    for (DedupSlice s : slices) {
      refs.add(new DedupImage.SliceRef(s.seq(), s.maxTime(), s.count()));
    }
    return refs;
  }

  /**
   * Restores the state {@link #writeTo} wrote: reopens (and verifies) the slices it names and deletes
   * every other slice file. A named slice that is missing is fine only if it had left the window.
   *
   * @throws IOException if the state is damaged or a slice it needs is missing or damaged
   */
  public void readFrom(DataInput in) throws IOException {
    restore(DedupImage.read(in));
  }

  /**
   * Installs a checkpointed state (a full one, possibly brought forward by incremental changes): reopens (and
   * verifies) the slices it names and deletes every other slice file. A named slice that is missing is fine
   * only if it had left the window.
   *
   * @throws IOException if a slice it needs is missing or damaged
   */
  public void restore(DedupImage image) throws IOException {
    dropTiers();
    long releasedBefore = clock.instant().getEpochSecond() - windowSeconds;
    Set<Path> keep = new HashSet<>();
    List<DedupSlice> opened = new ArrayList<>();
    for (DedupImage.SliceRef ref : image.slices) {
      Path file = dir.resolve(DedupSlice.fileName(ref.seq()));
      if (!Files.exists(file)) {
        if (ref.maxTime() < releasedBefore) {
          continue;
        }
        throw new IOException("dedup slice " + file + " is missing");
      }
      DedupSlice slice = DedupSlice.open(file);
      if (slice.seq() != ref.seq() || slice.count() != ref.count() || slice.maxTime() != ref.maxTime()) {
        throw new IOException("dedup slice " + file + " is not the one the checkpoint names");
      }
      opened.add(slice);
      keep.add(file);
    }
    deleteSlicesExcept(keep);
    slices.addAll(opened);
    memory = image.memory;
    memorySegments = new HashMap<>(image.segments);
    lastSegment = -1;
    memoryMaxTime = image.memoryMaxTime;
    memoryMinTime = image.memoryMinTime;
    nextSeq = image.nextSeq;
    memoryReplacedSinceCheckpoint = false;
    releasedSinceCheckpoint.clear();
    if (memory.capacity() > maxSlots) {
      freeze();
    }
    maintain();
  }

  /** Forgets everything and deletes the disk tier (the whole log is about to be replayed). */
  public void reset() {
    dropTiers();
    try {
      deleteSlicesExcept(Set.of());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the dedup directory " + dir, e);
    }
  }

  private void dropTiers() {
    if (merging != null) {
      merging.exceptionally(e -> null).join();
      merging = null;
    }
    mergedAway.clear();
    deletableAfterCheckpoint = List.of();
    memoryReplacedSinceCheckpoint = true; // nothing of the old tier may be assumed by the next checkpoint
    releasedSinceCheckpoint.clear();
    for (Frozen f : frozen) {
      try {
        f.written.join();
      } catch (RuntimeException ignored) {
        // a failed spill left nothing to keep
      }
    }
    frozen.clear();
    slices.clear();
    memory = new FingerprintIndex();
    memorySegments = new HashMap<>();
    lastSegment = -1;
    memoryMaxTime = Long.MIN_VALUE;
    memoryMinTime = Long.MAX_VALUE;
  }

  private void deleteSlicesExcept(Set<Path> keep) throws IOException {
    try (DirectoryStream<Path> all = Files.newDirectoryStream(dir, "dedup-*.slice*")) {
      for (Path p : all) {
        if (!keep.contains(p)) {
          Files.deleteIfExists(p);
        }
      }
    }
    DedupSlice.syncDirectory(dir);
  }

  /** Finishes the spills in flight (best effort) and stops the spill thread. */
  @Override
  public void close() {
    spiller.shutdown();
    try {
      spiller.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
