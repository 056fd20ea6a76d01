package dev.tally.engine.log;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checkpointed {@link DedupIndex} as plain data, read from a checkpoint without touching any file: the slices
 * it names, its memory tier and the per-segment newest retention times. A full state ({@link #read}) can be
 * brought forward by the changes of later incremental checkpoints ({@link #applyChanges}, in order), written out
 * again as a full state ({@link #writeTo}: how checkpoints are compacted off the writer thread), and finally
 * installed in an index ({@link DedupIndex#restore}), which is the only step that opens slice files.
 *
 * <p>Guarantee: a full state followed by the changes {@link DedupIndex#writeChangesTo} wrote after it is the same
 * state {@link DedupIndex#writeTo} would have written at the last of them.
 */
public final class DedupImage {
  static final int MAGIC = 0x54444958; // "TDIX"
  static final int VERSION = 1;
  static final int CHANGES_MAGIC = 0x54444943; // "TDIC"
  static final int CHANGES_VERSION = 1;

  /** A slice a checkpoint relies on. */
  record SliceRef(long seq, long maxTime, long count) {
  }

  long nextSeq = 1;
  List<SliceRef> slices = new ArrayList<>();
  long memoryMaxTime = Long.MIN_VALUE;
  long memoryMinTime = Long.MAX_VALUE;
  Map<Integer, Long> segments = new HashMap<>();
  FingerprintIndex memory = new FingerprintIndex();

  DedupImage() {
  }

  /**
   * Reads a full state, as {@link DedupIndex#writeTo} wrote it.
   *
   * @throws IOException if it is damaged
   */
  public static DedupImage read(DataInput in) throws IOException {
    if (in.readInt() != MAGIC || in.readInt() != VERSION) {
      throw new StreamCorruptedException("not a dedup index checkpoint");
    }
    DedupImage image = new DedupImage();
    image.readHeader(in);
    image.memory = readMemory(in, null);
    return image;
  }

  /**
   * Applies one incremental checkpoint's changes, as {@link DedupIndex#writeChangesTo} wrote them.
   *
   * @throws IOException if they are damaged
   */
  public void applyChanges(DataInput in) throws IOException {
    if (in.readInt() != CHANGES_MAGIC || in.readInt() != CHANGES_VERSION) {
      throw new StreamCorruptedException("not the changes of a dedup index checkpoint");
    }
    readHeader(in);
    boolean replaced = in.readBoolean();
    int n = in.readInt();
    if (n < 0) {
      throw new StreamCorruptedException("invalid released segment count " + n);
    }
    Set<Integer> released = new HashSet<>();
    for (int i = 0; i < n; i++) {
      released.add(in.readInt());
    }
    if (replaced) {
      memory = new FingerprintIndex(); // the tier was frozen and spilled: its pairs are in a named slice
    }
    if (!released.isEmpty()) {
      memory.removeIf(p -> released.contains((int) (p >>> LogPosition.OFFSET_BITS)));
    }
    readMemory(in, memory);
  }

  /** Writes this state in the format of {@link DedupIndex#writeTo}. */
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    writeHeader(out, nextSeq, slices, memoryMaxTime, memoryMinTime, segments);
    try {
      memory.writeTo(out);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Ids held by the memory tier of this state. */
  public long memoryIds() {
    return memory.size();
  }

  static void writeHeader(DataOutput out, long nextSeq, List<SliceRef> slices, long maxTime, long minTime,
      Map<Integer, Long> segments) throws IOException {
    out.writeLong(nextSeq);
    out.writeInt(slices.size());
    for (SliceRef s : slices) {
      out.writeLong(s.seq());
      out.writeLong(s.maxTime());
      out.writeLong(s.count());
    }
    out.writeLong(maxTime);
    out.writeLong(minTime);
    out.writeInt(segments.size());
    for (Map.Entry<Integer, Long> e : segments.entrySet()) {
      out.writeInt(e.getKey());
      out.writeLong(e.getValue());
    }
  }

  private void readHeader(DataInput in) throws IOException {
    long seq = in.readLong();
    int n = in.readInt();
    if (n < 0) {
      throw new StreamCorruptedException("invalid slice count " + n);
    }
    List<SliceRef> refs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      refs.add(new SliceRef(in.readLong(), in.readLong(), in.readLong()));
    }
    long maxTime = in.readLong();
    long minTime = in.readLong();
    int segs = in.readInt();
    if (segs < 0) {
      throw new StreamCorruptedException("invalid segment count " + segs);
    }
    Map<Integer, Long> segmentTimes = new HashMap<>();
    for (int i = 0; i < segs; i++) {
      segmentTimes.put(in.readInt(), in.readLong());
    }
    nextSeq = seq;
    slices = refs;
    memoryMaxTime = maxTime;
    memoryMinTime = minTime;
    segments = segmentTimes;
  }

  private static FingerprintIndex readMemory(DataInput in, FingerprintIndex into) throws IOException {
    try {
      if (into == null) {
        return FingerprintIndex.readFrom(in);
      }
      into.putAll(in);
      return into;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
