package dev.tally.engine.log;

import dev.tally.engine.secrets.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only, durable, crash-safe log of opaque byte records, stored as segment files
 * ({@code segment-0000000001.log}, ...) in one directory.
 *
 * <p><b>Format.</b> Each record is a frame {@code [int length][int CRC32C of payload][payload]},
 * big-endian, written back to back. Records are never empty, so a zeroed region is never mistaken
 * for a record.
 *
 * <p><b>Guarantees.</b>
 *
 * <ul>
 *   <li>When {@link #append(List)} returns, every record of the batch is on the device: the batch is
 *       written as one buffer with one positional write and then {@code fdatasync}ed once (group
 *       commit), so the cost is one write and one sync per batch, not per record.
 *   <li>An append is all or nothing: if the write or the sync fails, the segment is cut back to its
 *       size before the call, no reader ever sees any record of the batch, and {@link
 *       LogWriteException} is thrown. If the file cannot be cut back, the log marks itself failed
 *       ({@link #healthy()} is {@code false}) and refuses every later append.
 *   <li>Readers ({@link #read}, {@link #scan}) run concurrently with the writer and see only
 *       records whose append completed its sync: they never read past the committed end.
 *   <li>On {@link #open}, only the last segment can hold an unacknowledged, torn tail (a short
 *       header, a short payload or a CRC mismatch); it is truncated at the first bad frame, a warning
 *       says how many bytes were dropped, and the file is synced. Earlier segments were synced
 *       before the log rolled past them and are trusted; a bad frame in them surfaces as {@link
 *       LogCorruptedException} from {@code read} or {@code scan}, never as a silent skip.
 *   <li>Records are never rewritten or deleted. A sealed segment may move to another copy of the
 *       same bytes ({@link SealedSegments}: compressed, archived) through {@link #reopenSealed};
 *       positions and readers are unaffected.
 *   <li>One process at a time: the directory is locked while the log is open.
 * </ul>
 *
 * <p>Positions are encoded {@link LogPosition}s and increase in log order. Appends are serialised
 * by a lock (one writer thread is the intended use); reads and scans may run on any threads.
 */
public final class SegmentLog implements AutoCloseable {

  /** Default size at which the log rolls to a new segment: 256 MiB. */
  public static final long DEFAULT_SEGMENT_BYTES = 256L << 20;

  /** Encoded position of the first record of segment 1. */
  public static final long START = LogPosition.START;

  /** Largest allowed {@code segmentBytes}, leaving room in the 40-bit offset for one big batch. */
  static final long MAX_SEGMENT_BYTES = 1L << 39;

  /** Largest batch in bytes (frames included): it must fit one buffer. */
  static final long MAX_BATCH_BYTES = Integer.MAX_VALUE - 64;

  static final String LOCK_FILE = "tally-log.lock";

  private static final Logger LOG = LoggerFactory.getLogger(SegmentLog.class);
  private static final int HEADER = FrameReader.HEADER_BYTES;
  private static final int SCAN_BUFFER_BYTES = 1 << 20;
  private static final int RETAINED_WRITE_BUFFER_BYTES = 64 << 20;

  /**
   * What readers may see, replaced as a whole after each commit or roll. {@code end} is the
   * committed end of the last segment (encoded); {@code sealedBytes} the bytes of all others.
   */
  private record State(Segment[] segments, long end, long sealedBytes) {}

  private final Path dir;
  private final long segmentBytes;
  private final SegmentChannel.Opener opener;
  private final SealedSegments sealed;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final CRC32C crc = new CRC32C(); // guarded by writeLock
  private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(1 << 20); // guarded by writeLock
  private SegmentChannel active; // guarded by writeLock
  private volatile State state;
  private volatile boolean failed;
  private volatile boolean closed;

  private SegmentLog(
      Path dir,
      long segmentBytes,
      SegmentChannel.Opener opener,
      SealedSegments sealed,
      FileChannel lockChannel,
      FileLock lock,
      SegmentChannel active,
      State state) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.opener = opener;
    this.sealed = sealed;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.active = active;
    this.state = state;
  }

  /**
   * Opens the log in {@code dir}, creating the directory and the first segment if missing, and
   * recovers the last segment (truncating a torn tail, then syncing it).
   *
   * @param dir the log's directory
   * @param segmentBytes roll to a new segment when an append would grow the current one beyond
   *     this; {@code 1..2^39}
   * @throws UncheckedIOException if the directory cannot be created, locked or read, or another
   *     process (or another open log in this process) holds it
   * @throws LogCorruptedException if a segment file is missing between two others
   * @throws IllegalArgumentException if {@code segmentBytes} is out of range
   */
  public static SegmentLog open(Path dir, long segmentBytes) {
    return open(dir, segmentBytes, SegmentChannel.FILES, SealedSegments.NONE);
  }

  /**
   * Opens the log like {@link #open(Path, long)}, with the sealed segments {@code sealed} holds read
   * through it (a segment number both there and as a plain file is read through {@code sealed}).
   */
  public static SegmentLog open(Path dir, long segmentBytes, SealedSegments sealed) {
    return open(dir, segmentBytes, SegmentChannel.FILES, sealed);
  }

  static SegmentLog open(Path dir, long segmentBytes, SegmentChannel.Opener opener) {
    return open(dir, segmentBytes, opener, SealedSegments.NONE);
  }

  static SegmentLog open(
      Path dir, long segmentBytes, SegmentChannel.Opener opener, SealedSegments sealed) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(sealed, "sealed");
    Objects.requireNonNull(opener, "opener");
    if (segmentBytes < 1 || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException(
          "segmentBytes must be in 1.." + MAX_SEGMENT_BYTES + ": " + segmentBytes);
    }
    FileChannel lockChannel = null;
    List<Segment> opened = new ArrayList<>();
    SegmentChannel writer = null;
    try {
      Path absolute = dir.toAbsolutePath();
      if (!Files.isDirectory(absolute)) {
        PrivateFiles.directory(absolute);
        if (absolute.getParent() != null) {
          SegmentFiles.fsyncDirectory(absolute.getParent());
        }
      }
      lockChannel =
          PrivateFiles.open(
              absolute.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new IOException("log directory " + absolute + " is already open");
      }

      java.util.NavigableMap<Integer, Long> away = sealed.sizes();
      int[] numbers = java.util.stream.IntStream.concat(
          Arrays.stream(SegmentFiles.listSegments(absolute)), away.keySet().stream().mapToInt(Integer::intValue))
          .distinct().sorted().toArray();
      if (numbers.length > 0 && away.containsKey(numbers[numbers.length - 1])) {
        numbers = Arrays.copyOf(numbers, numbers.length + 1); // the active segment is always plain
        numbers[numbers.length - 1] = numbers[numbers.length - 2] + 1;
        opener.open(absolute.resolve(Segment.fileName(numbers[numbers.length - 1]))).close();
        SegmentFiles.fsyncDirectory(absolute);
      }
      if (numbers.length == 0) {
        Path first = absolute.resolve(Segment.fileName(1));
        writer = opener.open(first);
        SegmentFiles.fsyncDirectory(absolute);
        opened.add(new Segment(1, first, 0));
      } else {
        for (int i = 0; i < numbers.length; i++) {
          if (i > 0 && numbers[i] != numbers[i - 1] + 1) {
            throw new LogCorruptedException(
                "log " + absolute + " is missing segment " + (numbers[i - 1] + 1)
                    + " (found " + numbers[i - 1] + " then " + numbers[i] + ")",
                LogPosition.encode(numbers[i - 1] + 1, 0));
          }
          Path path = absolute.resolve(Segment.fileName(numbers[i]));
          boolean last = i == numbers.length - 1;
          if (!last && away.containsKey(numbers[i])) {
            opened.add(new Segment(numbers[i], path, away.get(numbers[i]), sealed.open(numbers[i])));
            continue;
          }
          long size = last ? recover(path) : Files.size(path);
          opened.add(new Segment(numbers[i], path, size));
        }
        writer = opener.open(opened.get(opened.size() - 1).path());
      }
      Segment[] segments = opened.toArray(Segment[]::new);
      Segment last = segments[segments.length - 1];
      long sealedBytes = 0;
      for (int i = 0; i < segments.length - 1; i++) {
        sealedBytes += segments[i].size();
      }
      State state = new State(segments, LogPosition.encode(last.number(), last.size()), sealedBytes);
      LOG.debug("Opened log {}: {} segment(s), end {}", absolute, segments.length,
          LogPosition.of(state.end()));
      return new SegmentLog(absolute, segmentBytes, opener, sealed, lockChannel, lock, writer, state);
    } catch (IOException e) {
      closeQuietly(writer, opened, lockChannel);
      throw new UncheckedIOException("cannot open log in " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      closeQuietly(writer, opened, lockChannel);
      throw e;
    }
  }

  /**
   * Appends a batch of records as one group commit: one buffer, one positional write, one {@code
   * fdatasync}. Rolls to a new segment first if the batch would grow the current one beyond {@code
   * segmentBytes}; a batch bigger than that gets a segment of its own.
   *
   * @param records the payloads, each non-empty; an empty list is a no-op
   * @return the encoded position of each record, in order
   * @throws LogWriteException if the batch could not be made durable; nothing of it is visible
   * @throws IllegalArgumentException if a record is empty or the batch exceeds 2 GiB
   * @throws IllegalStateException if the log is closed
   */
  public long[] append(List<byte[]> records) {
    Objects.requireNonNull(records, "records");
    long total = 0;
    for (byte[] record : records) {
      Objects.requireNonNull(record, "record");
      if (record.length == 0) {
        throw new IllegalArgumentException("records must not be empty");
      }
      total += HEADER + record.length;
    }
    if (total > MAX_BATCH_BYTES) {
      throw new IllegalArgumentException(
          "batch of " + total + " bytes exceeds the maximum of " + MAX_BATCH_BYTES);
    }
    writeLock.lock();
    try {
      ensureOpen();
      if (failed) {
        throw new LogWriteException("log " + dir + " has failed; appends are refused");
      }
      if (records.isEmpty()) {
        return new long[0];
      }
      if (LogPosition.offsetOf(state.end()) > 0
          && LogPosition.offsetOf(state.end()) + total > segmentBytes) {
        roll();
      }
      State s = state;
      int segment = LogPosition.segmentOf(s.end());
      long before = LogPosition.offsetOf(s.end());
      long[] positions = new long[records.size()];
      ByteBuffer buffer = fill(records, (int) total, segment, before, positions);
      try {
        long at = before;
        while (buffer.hasRemaining()) {
          at += active.write(buffer, at);
        }
        active.force();
      } catch (IOException | RuntimeException e) {
        throw restoreAfterFailure(before, records.size(), e);
      } catch (Error e) {
        restoreAfterFailure(before, records.size(), e);
        throw e;
      }
      long after = before + total;
      s.segments()[s.segments().length - 1].size(after);
      state = new State(s.segments(), LogPosition.encode(segment, after), s.sealedBytes());
      return positions;
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Reads the payload of the record at {@code position}, verifying its CRC.
   *
   * @throws LogReadException if no committed record starts there or the file cannot be read
   * @throws LogCorruptedException if the bytes there fail verification
   * @throws IllegalStateException if the log is closed
   */
  public byte[] read(long position) {
    ensureOpen();
    State s = state;
    LogPosition at = decode(position);
    Segment segment = find(s, at.segment());
    if (segment == null) {
      throw new LogReadException("no record at " + at + ": no such segment in " + dir);
    }
    long limit = limit(s, segment);
    long offset = at.offset();
    if (offset + HEADER > limit) {
      throw new LogReadException("no record at " + at + ": beyond the committed end");
    }
    try {
      int first = (int) Math.min(limit - offset, HEADER + 1024);
      ByteBuffer head = ByteBuffer.allocate(first);
      segment.readFully(head, offset);
      int length = head.getInt(0);
      int expectedCrc = head.getInt(4);
      if (length <= 0 || length > limit - offset - HEADER) {
        throw new LogReadException("no record at " + at + ": not the start of a committed record");
      }
      byte[] payload = new byte[length];
      int inHead = Math.min(length, first - HEADER);
      System.arraycopy(head.array(), HEADER, payload, 0, inHead);
      if (inHead < length) {
        segment.readFully(ByteBuffer.wrap(payload, inHead, length - inHead), offset + HEADER + inHead);
      }
      CRC32C check = new CRC32C();
      check.update(payload);
      if ((int) check.getValue() != expectedCrc) {
        throw new LogCorruptedException(
            "CRC32C mismatch for the record at " + at + " in " + segment.path(), position);
      }
      return payload;
    } catch (IOException e) {
      throw new LogReadException("cannot read the record at " + at + " in " + segment.path(), e);
    }
  }

  /**
   * Visits records in log order, from {@code fromPosition} (inclusive) to the committed end as of
   * the start of the call, across segments, with buffered sequential reads. Records appended during
   * the scan are not visited; scanning from {@link #endPosition()} later visits exactly the records
   * appended since.
   *
   * @param fromPosition a record position returned by this log, {@link #START}, {@code 0} (the
   *     beginning) or an {@link #endPosition()}
   * @param visitor gets each record; returning {@code false} stops the scan
   * @throws LogCorruptedException on a frame that fails verification, at its position
   * @throws LogReadException if {@code fromPosition} is beyond the end or the files cannot be read
   * @throws IllegalStateException if the log is closed
   */
  public void scan(long fromPosition, RecordVisitor visitor) {
    Objects.requireNonNull(visitor, "visitor");
    ensureOpen();
    State s = state;
    LogPosition from = decode(fromPosition);
    if (fromPosition > s.end()) {
      throw new LogReadException(
          "scan start " + from + " is beyond the end " + LogPosition.of(s.end()) + " of " + dir);
    }
    Segment[] segments = s.segments();
    long toScan = 0; // size the buffer to the work: tail-following scans are small
    for (Segment segment : segments) {
      if (segment.number() >= from.segment()) {
        long start = segment.number() == from.segment() ? from.offset() : 0;
        if (start > limit(s, segment)) {
          throw new LogReadException("scan start " + from + " is beyond the end of its segment");
        }
        toScan += limit(s, segment) - start;
      }
    }
    if (toScan == 0) {
      return;
    }
    byte[] buffer = new byte[(int) Math.max(HEADER, Math.min(SCAN_BUFFER_BYTES, toScan))];
    for (Segment segment : segments) {
      if (segment.number() < from.segment()) {
        continue;
      }
      long limit = limit(s, segment);
      long start = segment.number() == from.segment() ? from.offset() : 0;
      if (start < limit && !scanSegment(segment, start, limit, buffer, visitor)) {
        return;
      }
      if (segment.number() == LogPosition.segmentOf(s.end())) {
        return;
      }
    }
  }

  private static boolean scanSegment(
      Segment segment, long start, long limit, byte[] buffer, RecordVisitor visitor) {
    FrameReader reader = new FrameReader(segment::readFully, start, limit, buffer);
    try {
      while (true) {
        FrameReader.Status status = reader.next();
        long position = LogPosition.encode(segment.number(), reader.frameOffset());
        switch (status) {
          case RECORD -> {
            if (!visitor.visit(position, reader.payload())) {
              return false;
            }
          }
          case END -> {
            return true;
          }
          default -> throw new LogCorruptedException(
              describe(status) + " at " + LogPosition.of(position) + " in " + segment.path()
                  + " (committed size " + limit + ")",
              position);
        }
      }
    } catch (IOException e) {
      throw new LogReadException("cannot read " + segment.path(), e);
    }
  }

  /**
   * The position just past the last committed record. The next record goes here, unless its
   * append rolls to a new segment (then it goes to the start of the next segment); either way
   * scanning from here visits exactly the records appended later.
   */
  public long endPosition() {
    return state.end();
  }

  /** Total committed bytes over all segments, frames included. */
  public long sizeBytes() {
    State s = state;
    return s.sealedBytes() + LogPosition.offsetOf(s.end());
  }

  /** Number of segment files. */
  public int segmentCount() {
    return state.segments().length;
  }

  /**
   * Whether the log is open and can append. {@code false} after {@link #close()} or after an
   * append failure that could not be undone (the file could not be cut back); a failed log must be
   * closed and reopened, which truncates whatever the failed append left behind.
   */
  public boolean healthy() {
    return !failed && !closed;
  }

  /** Sealed segments still read from their plain files, oldest first (never the active one). */
  public List<SealedFile> plainSealedSegments() {
    ensureOpen();
    State s = state;
    List<SealedFile> out = new ArrayList<>();
    for (int i = 0; i < s.segments().length - 1; i++) {
      Segment segment = s.segments()[i];
      if (!segment.isSealedElsewhere()) {
        out.add(new SealedFile(segment.number(), segment.path(), segment.size()));
      }
    }
    return out;
  }

  /**
   * Reads sealed segment {@code number} through {@link SealedSegments#open} from now on (after its
   * holder stored a copy); the previous copy is closed, so its file may then be deleted.
   *
   * @throws IllegalArgumentException if there is no such sealed segment (or it is the active one)
   * @throws UncheckedIOException if the holder cannot open it; reads stay on the previous copy
   */
  public void reopenSealed(int number) {
    ensureOpen();
    State s = state;
    Segment segment = find(s, number);
    if (segment == null || number == LogPosition.segmentOf(s.end())) {
      throw new IllegalArgumentException("no sealed segment " + number + " in " + dir);
    }
    try {
      segment.useSealed(sealed.open(number));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reopen segment " + number + " of " + dir, e);
    }
  }

  /** The directory holding the segments. */
  public Path directory() {
    return dir;
  }

  /**
   * Closes the files and releases the directory lock. Idempotent. Concurrent reads may fail with
   * {@link LogReadException}; later calls throw {@link IllegalStateException}.
   */
  @Override
  public void close() {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      closeQuietly(active, Arrays.asList(state.segments()), lockChannel);
    } finally {
      writeLock.unlock();
    }
  }

  // ---------------------------------------------------------------- internals

  private ByteBuffer fill(
      List<byte[]> records, int total, int segment, long base, long[] positions) {
    ByteBuffer buffer;
    if (total <= writeBuffer.capacity()) {
      buffer = writeBuffer;
    } else if (total <= RETAINED_WRITE_BUFFER_BYTES) {
      writeBuffer = ByteBuffer.allocateDirect(
          (int) Math.min(RETAINED_WRITE_BUFFER_BYTES, Math.max(total, 2L * writeBuffer.capacity())));
      buffer = writeBuffer;
    } else {
      buffer = ByteBuffer.allocate(total); // rare giant batch: not retained
    }
    buffer.clear();
    int i = 0;
    for (byte[] record : records) {
      positions[i++] = LogPosition.encode(segment, base + buffer.position());
      crc.reset();
      crc.update(record, 0, record.length);
      buffer.putInt(record.length);
      buffer.putInt((int) crc.getValue());
      buffer.put(record);
    }
    buffer.flip();
    return buffer;
  }

  /** Seals the current segment and starts the next; nothing changes if this throws. */
  private void roll() {
    State s = state;
    int current = LogPosition.segmentOf(s.end());
    if (current >= LogPosition.MAX_SEGMENT) {
      throw new LogWriteException("log " + dir + " has reached the maximum segment number");
    }
    int next = current + 1;
    Path path = dir.resolve(Segment.fileName(next));
    SegmentChannel created = null;
    try {
      active.force(); // already synced by each append; cheap, and makes the seal explicit
      created = opener.open(path);
      if (created.size() != 0) {
        throw new IOException("new segment " + path + " already exists and is not empty");
      }
      SegmentFiles.fsyncDirectory(dir);
    } catch (IOException | RuntimeException e) {
      closeQuietly(created, List.of(), null);
      throw new LogWriteException("cannot roll log " + dir + " to segment " + next, e);
    }
    closeQuietly(active, List.of(), null);
    active = created;
    Segment[] segments = Arrays.copyOf(s.segments(), s.segments().length + 1);
    segments[segments.length - 1] = new Segment(next, path, 0);
    state = new State(segments, LogPosition.encode(next, 0),
        s.sealedBytes() + LogPosition.offsetOf(s.end()));
    LOG.debug("Log {} rolled to segment {}", dir, next);
  }

  /**
   * Cuts the active segment back to {@code size} after a failed write or sync. Returns the
   * exception to throw; marks the log failed if the cut itself fails.
   */
  private LogWriteException restoreAfterFailure(long size, int count, Throwable cause) {
    Segment segment = state.segments()[state.segments().length - 1];
    boolean interrupted = Thread.interrupted(); // else the reopened channel would close at once
    try {
      if (!active.isOpen()) { // an interrupt closes a FileChannel
        active = opener.open(segment.path());
      }
      active.truncate(size);
      active.force();
    } catch (IOException | RuntimeException e) {
      failed = true;
      cause.addSuppressed(e);
      LOG.error("Log {}: append of {} record(s) failed and segment {} could not be cut back to {} "
          + "bytes; the log refuses appends until reopened", dir, count, segment.path(), size, e);
      return new LogWriteException("append of " + count + " record(s) to " + dir
          + " failed and the segment could not be restored; the log is now failed", cause);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    LOG.warn("Log {}: append of {} record(s) failed and was rolled back: {}", dir, count,
        cause.toString());
    return new LogWriteException(
        "append of " + count + " record(s) to " + dir + " failed; nothing was stored", cause);
  }

  /** Truncates a torn tail of the last segment and syncs it; returns its valid size. */
  private static long recover(Path path) throws IOException {
    try (FileChannel channel =
        FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long fileSize = channel.size();
      FrameReader reader = new FrameReader(
          (dst, position) -> SegmentFiles.readFully(channel, dst, position), 0, fileSize,
          new byte[(int) Math.max(HEADER, Math.min(SCAN_BUFFER_BYTES, fileSize))]);
      FrameReader.Status status;
      while ((status = reader.next()) == FrameReader.Status.RECORD) {
        // valid frame: keep going
      }
      long valid = reader.frameOffset();
      if (status != FrameReader.Status.END) {
        LOG.warn("Log segment {}: dropped {} byte(s) of torn tail at offset {} ({}); file was {} "
                + "bytes", path, fileSize - valid, valid, describe(status), fileSize);
        channel.truncate(valid);
      }
      channel.force(true); // what we now expose as committed must be durable
      return valid;
    }
  }

  private static Segment find(State s, int number) {
    Segment[] segments = s.segments();
    int index = number - segments[0].number();
    return index >= 0 && index < segments.length ? segments[index] : null;
  }

  /** Readable bytes of a segment under a state: the committed end for the last one. */
  private static long limit(State s, Segment segment) {
    return segment.number() == LogPosition.segmentOf(s.end())
        ? LogPosition.offsetOf(s.end())
        : segment.size();
  }

  private static LogPosition decode(long position) {
    try {
      return LogPosition.of(position);
    } catch (IllegalArgumentException e) {
      throw new LogReadException("invalid log position " + position, e);
    }
  }

  private static String describe(FrameReader.Status status) {
    return switch (status) {
      case SHORT_HEADER -> "short frame header";
      case BAD_LENGTH -> "invalid record length";
      case SHORT_PAYLOAD -> "short payload";
      case BAD_CRC -> "CRC32C mismatch";
      case RECORD, END -> status.name();
    };
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("log " + dir + " is closed");
    }
  }

  private static void closeQuietly(
      SegmentChannel channel, List<Segment> segments, FileChannel lockChannel) {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      LOG.debug("ignoring failure to close a segment writer", e);
    }
    for (Segment segment : segments) {
      try {
        segment.close();
      } catch (IOException e) {
        LOG.debug("ignoring failure to close {}", segment.path(), e);
      }
    }
    try {
      if (lockChannel != null) {
        lockChannel.close(); // releases the lock
      }
    } catch (IOException e) {
      LOG.debug("ignoring failure to close the lock file", e);
    }
  }
}
