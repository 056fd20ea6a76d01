package dev.tally.engine.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The write side of one segment file. A seam so tests can inject I/O failures; production uses
 * {@link #FILES}, a plain {@link FileChannel}.
 */
interface SegmentChannel extends Closeable {

  /** Opens (creating if missing, never truncating) a segment file for writing. */
  @FunctionalInterface
  interface Opener {
    SegmentChannel open(Path path) throws IOException;
  }

  /** Opens segment files with {@link FileChannel}; a file it creates is 0600. */
  Opener FILES = path -> new FileSegmentChannel(
      dev.tally.engine.secrets.PrivateFiles.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE));

  /** Positional write; may write fewer bytes than remain, like {@link FileChannel#write}. */
  int write(ByteBuffer src, long position) throws IOException;

  /** Forces written data (not necessarily metadata) to the device: fdatasync. */
  void force() throws IOException;

  /** Cuts the file to {@code size} bytes. */
  void truncate(long size) throws IOException;

  long size() throws IOException;

  boolean isOpen();

  /** The plain implementation. */
  final class FileSegmentChannel implements SegmentChannel {
    private final FileChannel channel;

    FileSegmentChannel(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return channel.write(src, position);
    }

    @Override
    public void force() throws IOException {
      channel.force(false);
    }

    @Override
    public void truncate(long size) throws IOException {
      channel.truncate(size);
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public boolean isOpen() {
      return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
