package dev.tally.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One segment file as seen by readers: its number, path, size and a lazily opened read channel
 * shared by all reading threads (positional reads only, so sharing is safe).
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

  Segment(int number, Path path, long size) {
    this.number = number;
    this.path = path;
    this.size = size;
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
      FileChannel channel = channel();
      int start = dst.position();
      try {
        return channel.read(dst, position);
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
    if (closed) {
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

  synchronized void close() throws IOException {
    closed = true;
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  static String fileName(int number) {
    return String.format("segment-%010d.log", number);
  }
}
