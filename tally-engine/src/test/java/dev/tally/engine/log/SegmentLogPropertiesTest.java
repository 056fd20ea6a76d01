package dev.tally.engine.log;

import static dev.tally.engine.log.LogTestSupport.deleteRecursively;
import static dev.tally.engine.log.LogTestSupport.lastSegment;
import static dev.tally.engine.log.LogTestSupport.record;
import static dev.tally.engine.log.LogTestSupport.scanAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.engine.log.LogTestSupport.Visited;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class SegmentLogPropertiesTest {

  private record Written(long position, byte[] payload) {
    long frameEnd() {
      return LogPosition.of(position).offset() + 8 + payload.length;
    }

    int segment() {
      return LogPosition.of(position).segment();
    }
  }

  @Property(tries = 40)
  void batchesSurviveReopenInOrderWhateverTheSegmentSize(
      @ForAll @Size(min = 1, max = 8) List<@Size(min = 1, max = 6) List<@IntRange(min = 1,
          max = 400) Integer>> batches,
      @ForAll @IntRange(min = 1, max = 2_000) int segmentBytes) throws IOException {
    Path dir = Files.createTempDirectory("tally-log-prop");
    try {
      List<Written> written = writeBatches(dir, segmentBytes, batches);
      try (SegmentLog log = SegmentLog.open(dir, segmentBytes)) {
        assertSame(scanAll(log, 0L), written);
        for (Written w : written) {
          assertThat(log.read(w.position())).isEqualTo(w.payload());
        }
      }
    } finally {
      deleteRecursively(dir);
    }
  }

  @Property(tries = 60)
  void cuttingTheLastSegmentAnywhereKeepsExactlyTheRecordsBeforeTheCut(
      @ForAll @Size(min = 1, max = 6) List<@Size(min = 1, max = 6) List<@IntRange(min = 1,
          max = 300) Integer>> batches,
      @ForAll @DoubleRange(min = 0, max = 1) double cutAt) throws IOException {
    Path dir = Files.createTempDirectory("tally-log-prop");
    try {
      List<Written> written = writeBatches(dir, 1_500, batches);
      Path last = lastSegment(dir);
      int lastNumber = written.get(written.size() - 1).segment();
      long cut = (long) Math.floor(cutAt * Files.size(last));
      try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
        ch.truncate(cut);
      }
      List<Written> expected = written.stream()
          .filter(w -> w.segment() < lastNumber || w.frameEnd() <= cut)
          .toList();
      reopenAndCheck(dir, expected, lastNumber);
    } finally {
      deleteRecursively(dir);
    }
  }

  @Property(tries = 60)
  void aDamagedByteInTheLastSegmentDropsThatRecordAndEverythingAfterIt(
      @ForAll @Size(min = 1, max = 6) List<@Size(min = 1, max = 6) List<@IntRange(min = 1,
          max = 300) Integer>> batches,
      @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double damageAt,
      @ForAll @IntRange(min = 1, max = 255) int xor) throws IOException {
    Path dir = Files.createTempDirectory("tally-log-prop");
    try {
      List<Written> written = writeBatches(dir, 1_500, batches);
      Path last = lastSegment(dir);
      int lastNumber = written.get(written.size() - 1).segment();
      long offset = (long) Math.floor(damageAt * Files.size(last));
      try (FileChannel ch =
          FileChannel.open(last, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.allocate(1);
        ch.read(b, offset);
        b.put(0, (byte) (b.get(0) ^ xor)).rewind();
        ch.write(b, offset);
      }
      List<Written> expected = written.stream()
          .filter(w -> w.segment() < lastNumber || w.frameEnd() <= offset)
          .toList();
      reopenAndCheck(dir, expected, lastNumber);
    } finally {
      deleteRecursively(dir);
    }
  }

  @Property
  void logPositionsRoundTripThroughTheirEncoding(
      @ForAll @IntRange(min = 0, max = LogPosition.MAX_SEGMENT) int segment,
      @ForAll @LongRange(min = 0, max = LogPosition.MAX_OFFSET) long offset) {
    LogPosition position = new LogPosition(segment, offset);

    assertThat(position.encoded()).isNotNegative();
    assertThat(LogPosition.of(position.encoded())).isEqualTo(position);
  }

  @Property
  void encodedPositionsSortInLogOrder(
      @ForAll @IntRange(min = 0, max = LogPosition.MAX_SEGMENT) int s1,
      @ForAll @LongRange(min = 0, max = LogPosition.MAX_OFFSET) long o1,
      @ForAll @IntRange(min = 0, max = LogPosition.MAX_SEGMENT) int s2,
      @ForAll @LongRange(min = 0, max = LogPosition.MAX_OFFSET) long o2) {
    LogPosition a = new LogPosition(s1, o1);
    LogPosition b = new LogPosition(s2, o2);
    int byParts = s1 != s2 ? Integer.compare(s1, s2) : Long.compare(o1, o2);

    assertThat(Integer.signum(Long.compare(a.encoded(), b.encoded()))).isEqualTo(
        Integer.signum(byParts));
  }

  private static void reopenAndCheck(Path dir, List<Written> expected, int lastNumber) {
    try (SegmentLog log = SegmentLog.open(dir, 1_500)) {
      assertSame(scanAll(log, SegmentLog.START), expected);
      long keptInLast = expected.stream()
          .filter(w -> w.segment() == lastNumber)
          .mapToLong(Written::frameEnd)
          .max()
          .orElse(0);
      assertThat(log.endPosition()).isEqualTo(new LogPosition(lastNumber, keptInLast).encoded());
      byte[] next = record("after-recovery", 33);
      long position = log.append(List.of(next))[0];
      assertThat(log.read(position)).isEqualTo(next);
    }
  }

  private static List<Written> writeBatches(Path dir, long segmentBytes,
      List<List<Integer>> batches) {
    List<Written> written = new ArrayList<>();
    try (SegmentLog log = SegmentLog.open(dir, segmentBytes)) {
      int n = 0;
      for (List<Integer> sizes : batches) {
        List<byte[]> batch = new ArrayList<>();
        for (int size : sizes) {
          batch.add(record("r" + n++ + ":", size));
        }
        long[] positions = log.append(batch);
        for (int i = 0; i < positions.length; i++) {
          written.add(new Written(positions[i], batch.get(i)));
        }
      }
    }
    return written;
  }

  private static void assertSame(List<Visited> visited, List<Written> expected) {
    assertThat(visited).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(visited.get(i).position()).isEqualTo(expected.get(i).position());
      assertThat(visited.get(i).payload()).isEqualTo(expected.get(i).payload());
    }
  }
}
