package dev.tally.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Opens real segment files but can fail the next write, force or truncate, and counts calls. */
final class FaultInjectingOpener implements SegmentChannel.Opener {

  volatile boolean failNextForce;
  /** When >= 0, the next write writes this many bytes and then fails. */
  volatile int failNextWriteAfterBytes = -1;
  volatile boolean failTruncate;
  final AtomicInteger writes = new AtomicInteger();
  final AtomicInteger forces = new AtomicInteger();

  @Override
  public SegmentChannel open(Path path) throws IOException {
    return new Faulty(SegmentChannel.FILES.open(path));
  }

  private final class Faulty implements SegmentChannel {
    private final SegmentChannel real;

    Faulty(SegmentChannel real) {
      this.real = real;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      writes.incrementAndGet();
      int partial = failNextWriteAfterBytes;
      if (partial >= 0) {
        failNextWriteAfterBytes = -1;
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + Math.min(partial, part.remaining()));
        long at = position;
        while (part.hasRemaining()) {
          at += real.write(part, at);
        }
        throw new IOException("injected write failure after " + partial + " bytes");
      }
      return real.write(src, position);
    }

    @Override
    public void force() throws IOException {
      forces.incrementAndGet();
      if (failNextForce) {
        failNextForce = false;
        throw new IOException("injected fsync failure");
      }
      real.force();
    }

    @Override
    public void truncate(long size) throws IOException {
      if (failTruncate) {
        throw new IOException("injected truncate failure");
      }
      real.truncate(size);
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public boolean isOpen() {
      return real.isOpen();
    }

    @Override
    public void close() throws IOException {
      real.close();
    }
  }
}
