package dev.tally.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One segment file as seen by readers: its number, path, size and a lazily opened read channel
 * shared by all reading threads (positional reads only, so sharing is safe). A sealed segment may
 * instead be read through {@link SegmentBytes} (compressed or archived, see {@link SealedSegments});
 * switching to them is atomic for readers, who retry on the new copy if the old one closes under them.
 *
 * <p>A {@link FileChannel} is closed when a thread blocked in it is interrupted, which would break
 * every other reader; {@link #read} therefore reopens a channel closed that way and retries, unless
 * the reading thread itself was interrupted or the log was closed.
 */
final class Segment {

  private final int number;
  private final Path path;
  /** Committed bytes; final once the segment is sealed. Readers bound reads by the log's State. */
  private volatile long size;
  private FileChannel reader; // guarded by this
  private boolean closed; // guarded by this
  /** When set, reads go here instead of the plain file. */
  private volatile SegmentBytes sealed;

  Segment(int number, Path path, long size) {
    this.number = number;
    this.path = path;
    this.size = size;
  }

  Segment(int number, Path path, long size, SegmentBytes sealed) {
    this(number, path, size);
    this.sealed = sealed;
  }

  /** Whether reads go to a copy other than the plain file. */
  boolean isSealedElsewhere() {
    return sealed != null;
  }

  /** Reads go to {@code bytes} from now on; the previous copy (plain channel or other bytes) is closed. */
  void useSealed(SegmentBytes bytes) throws IOException {
    SegmentBytes previous;
    synchronized (this) {
      previous = sealed;
      sealed = bytes;
      if (reader != null) {
        reader.close();
        reader = null;
      }
    }
    if (previous != null) {
      previous.close();
    }
  }

  int number() {
    return number;
  }

  Path path() {
    return path;
  }

  long size() {
    return size;
  }

  void size(long size) {
    this.size = size;
  }

  /** Positional read that survives another thread's interrupt closing the shared channel. */
  int read(ByteBuffer dst, long position) throws IOException {
    for (int attempt = 0; ; attempt++) {
      int start = dst.position();
      try {
        SegmentBytes elsewhere = sealed;
        if (elsewhere != null) {
          int n = dst.remaining();
          elsewhere.readFully(dst, position);
          return n;
        }
        return channel().read(dst, position);
      } catch (ClosedChannelException e) {
        if (attempt >= 3 || Thread.currentThread().isInterrupted() || isClosed()) {
          throw e;
        }
        dst.position(start);
      }
    }
  }

  /** Reads exactly {@code dst.remaining()} bytes or throws. */
  void readFully(ByteBuffer dst, long position) throws IOException {
    long at = position;
    while (dst.hasRemaining()) {
      int n = read(dst, at);
      if (n < 0) {
        throw new IOException("unexpected end of " + path + " at offset " + at);
      }
      at += n;
    }
  }

  private synchronized FileChannel channel() throws IOException {
    if (closed || sealed != null) { // a switch to another copy: the caller retries there
      throw new ClosedChannelException();
    }
    if (reader == null || !reader.isOpen()) {
      reader = FileChannel.open(path, StandardOpenOption.READ);
    }
    return reader;
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  void close() throws IOException {
    SegmentBytes elsewhere;
    synchronized (this) {
      closed = true;
      if (reader != null) {
        reader.close();
        reader = null;
      }
      elsewhere = sealed;
    }
    if (elsewhere != null) {
      elsewhere.close();
    }
  }

  static String fileName(int number) {
    return String.format("segment-%010d.log", number);
  }
}
