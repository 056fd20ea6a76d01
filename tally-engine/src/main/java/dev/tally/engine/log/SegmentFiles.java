package dev.tally.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The file-system steps of the log and of its archive: listing a directory's segments, reading a channel fully and
 * making a directory's entries (a created or renamed file) durable.
 */
public final class SegmentFiles {
  private static final Pattern SEGMENT_NAME = Pattern.compile("segment-(\\d{10})\\.log");
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private SegmentFiles() {
  }

  /** Fsyncs a directory, so that a file created or renamed in it survives a crash (a no-op on Windows). */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      if (!WINDOWS) { // Windows cannot open a directory as a channel; NTFS needs no dir sync
        throw e;
      }
    }
  }

  static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
    long at = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, at);
      if (n < 0) {
        throw new IOException("unexpected end of file at offset " + at);
      }
      at += n;
    }
  }

  /** The numbers of the plain segment files in {@code dir}, ascending. */
  static int[] listSegments(Path dir) throws IOException {
    List<Integer> numbers = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "segment-*.log")) {
      for (Path p : stream) {
        Matcher m = SEGMENT_NAME.matcher(p.getFileName().toString());
        if (m.matches()) {
          long n = Long.parseLong(m.group(1));
          if (n < 1 || n > LogPosition.MAX_SEGMENT) {
            throw new IOException("segment number out of range: " + p);
          }
          numbers.add((int) n);
        }
      }
    }
    return numbers.stream().mapToInt(Integer::intValue).sorted().toArray();
  }
}
