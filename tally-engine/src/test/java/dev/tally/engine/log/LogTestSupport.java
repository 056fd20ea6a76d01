package dev.tally.engine.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

final class LogTestSupport {

  private LogTestSupport() {}

  /** A recognisable record of {@code size} bytes (at least the label's length). */
  static byte[] record(String label, int size) {
    byte[] text = label.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[Math.max(size, text.length)];
    System.arraycopy(text, 0, out, 0, text.length);
    for (int i = text.length; i < out.length; i++) {
      out[i] = (byte) (i * 31 + label.hashCode());
    }
    return out;
  }

  static List<byte[]> records(String prefix, int count, int size) {
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(record(prefix + i + ":", size));
    }
    return out;
  }

  record Visited(long position, byte[] payload) {}

  static List<Visited> scanAll(SegmentLog log, long from) {
    List<Visited> out = new ArrayList<>();
    log.scan(from, (position, payload) -> out.add(new Visited(position, payload)));
    return out;
  }

  static List<byte[]> payloads(List<Visited> visited) {
    return visited.stream().map(Visited::payload).toList();
  }

  static Path lastSegment(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("segment-"))
          .max(Comparator.naturalOrder())
          .orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteRecursively(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
