package dev.tally.engine.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DedupIndexTest {
    static final Duration WINDOW = Duration.ofHours(2);
    /** 256 bytes: a memory tier of 16 slots, spilled every 11 ids. */
    static final long TINY = 256;

    @TempDir
    Path dir;

    final MovableClock clock = new MovableClock(Instant.parse("2026-11-20T12:00:00Z"));
    final List<DedupIndex> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(DedupIndex::close);
    }

    DedupIndex index(long budget) {
        DedupIndex i = new DedupIndex(dir, WINDOW, budget, clock);
        opened.add(i);
        return i;
    }

    static long fp(int i) {
        return FingerprintIndex.fingerprint(new byte[] {1}, new byte[] {2}, ("id-" + i).getBytes());
    }

    /** Position of id i: segment 1 + i / 100, so ids fall into several log segments. */
    static long pos(int i) {
        return ((1L + i / 100) << LogPosition.OFFSET_BITS) | (i % 100) * 64L;
    }

    long now() {
        return clock.instant().getEpochSecond();
    }

    static boolean holds(DedupIndex index, int i) {
        return index.anyMatch(fp(i), p -> p == pos(i));
    }

    static byte[] checkpoint(DedupIndex index) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            index.writeTo(out);
        }
        return bytes.toByteArray();
    }

    static void restore(DedupIndex index, byte[] checkpoint) throws IOException {
        index.readFrom(new DataInputStream(new ByteArrayInputStream(checkpoint)));
    }

    long sliceFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".slice")).count();
        }
    }

    @Test
    void forEachSortedVisitsEveryPairOnceInUnsignedSortKeyOrder() throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 60; round++) {
            FingerprintIndex index = new FingerprintIndex();
            int n = random.nextInt(1, 3000);
            List<long[]> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // few distinct high bits now and then: long runs, and runs wrapping around the table's end
                long f = random.nextInt(4) == 0 ? -1L - random.nextInt(8) : random.nextLong();
                long p = random.nextLong(1, Long.MAX_VALUE);
                index.put(f, p);
                expected.add(new long[] {FingerprintIndex.sortKey(f), p});
            }
            List<long[]> seen = new ArrayList<>();
            index.forEachSorted((k, p) -> seen.add(new long[] {k, p}));
            assertThat(seen).hasSize(index.size());
            for (int i = 1; i < seen.size(); i++) {
                assertThat(Long.compareUnsigned(seen.get(i - 1)[0], seen.get(i)[0])).isLessThanOrEqualTo(0);
            }
            java.util.Comparator<long[]> order = (a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0])
                    : Long.compare(a[1], b[1]);
            List<String> want = expected.stream().distinct().sorted(order).map(java.util.Arrays::toString).distinct()
                    .toList();
            List<String> got = seen.stream().sorted(order).map(java.util.Arrays::toString).toList();
            assertThat(got).isEqualTo(want);
        }
    }

    @Test
    void idsBeyondTheMemoryBudgetSpillToDiskAndAreStillFound() throws IOException {
        DedupIndex index = index(TINY);
        for (int i = 0; i < 2000; i++) {
            assertThat(holds(index, i)).isFalse();
            index.put(fp(i), pos(i), now());
        }
        checkpoint(index); // waits for the spills in flight
        DedupIndex.Stats s = index.stats();
        assertThat(s.memoryIds() + s.diskIds()).isEqualTo(2000);
        assertThat(s.diskIds()).isGreaterThan(1900);
        assertThat(s.memoryHeapBytes()).isLessThanOrEqualTo(TINY);
        assertThat(s.slices()).isPositive();
        assertThat(s.diskFileBytes()).isPositive().isLessThanOrEqualTo(sliceBytesOnDisk()); // + merged-away files
        for (int i = 0; i < 2000; i++) {
            assertThat(holds(index, i)).as("id %d", i).isTrue();
            // a position that is not this id's is never accepted: the caller's verification decides
            int j = i;
            assertThat(index.anyMatch(fp(i), p -> p == pos(j) + 1)).isFalse();
        }
        for (int i = 2000; i < 4000; i++) {
            assertThat(holds(index, i)).isFalse();
        }
    }

    long sliceBytesOnDisk() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".slice")).mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    @Test
    void theDiskTierSurvivesARestartFromTheCheckpoint() throws IOException {
        DedupIndex index = index(TINY);
        for (int i = 0; i < 500; i++) {
            index.put(fp(i), pos(i), now());
        }
        byte[] cp = checkpoint(index);
        index.close();
        DedupIndex reopened = index(TINY);
        restore(reopened, cp);
        for (int i = 0; i < 500; i++) {
            assertThat(holds(reopened, i)).as("id %d", i).isTrue();
        }
        assertThat(reopened.stats().diskIds() + reopened.stats().memoryIds()).isEqualTo(500);
    }

    @Test
    void slicesWrittenAfterTheCheckpointAndTornSpillsAreDeletedOnRestore() throws IOException {
        DedupIndex index = index(TINY);
        for (int i = 0; i < 100; i++) {
            index.put(fp(i), pos(i), now());
        }
        byte[] cp = checkpoint(index);
        long named = sliceFiles();
        for (int i = 100; i < 300; i++) {
            index.put(fp(i), pos(i), now());
        }
        checkpoint(index);
        assertThat(sliceFiles()).isGreaterThan(named);
        index.close();
        // a crash in the middle of a spill leaves a temporary file
        Files.write(dir.resolve(DedupSlice.fileName(999) + ".tmp"), new byte[] {1, 2, 3});
        DedupIndex reopened = index(TINY);
        restore(reopened, cp);
        assertThat(sliceFiles()).isEqualTo(named);
        // the torn spill is gone (the reopened index may be writing a spill of its own meanwhile: its .tmp is not it)
        assertThat(dir.resolve(DedupSlice.fileName(999) + ".tmp")).doesNotExist();
        for (int i = 0; i < 100; i++) {
            assertThat(holds(reopened, i)).isTrue();
        }
        // the later ids come back from the log replayed after the checkpoint, not from orphaned slices
        for (int i = 100; i < 300; i++) {
            assertThat(holds(reopened, i)).isFalse();
        }
    }

    @Test
    void aDamagedSliceFailsTheRestoreInsteadOfForgettingIds() throws IOException {
        DedupIndex index = index(TINY);
        for (int i = 0; i < 100; i++) {
            index.put(fp(i), pos(i), now());
        }
        byte[] cp = checkpoint(index);
        index.close();
        Path slice;
        try (Stream<Path> s = Files.list(dir)) {
            slice = s.filter(p -> p.toString().endsWith(".slice")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(slice);
        bytes[bytes.length - 20] ^= 0x40;
        Files.write(slice, bytes);
        DedupIndex reopened = index(TINY);
        assertThatThrownBy(() -> restore(reopened, cp)).isInstanceOf(IOException.class)
                .hasMessageContaining("checksum");
        reopened.reset();
        assertThat(sliceFiles()).isZero();
    }

    @Test
    void idsAreKeptForTheWholeWindowAndReleasedAfterIt() throws IOException {
        DedupIndex index = index(TINY);
        for (int i = 0; i < 300; i++) {
            index.put(fp(i), pos(i), now());
        }
        checkpoint(index);
        clock.advance(WINDOW.minusMinutes(1));
        index.maintain();
        for (int i = 0; i < 300; i++) {
            assertThat(holds(index, i)).isTrue();
        }
        clock.advance(Duration.ofMinutes(2));
        index.maintain();
        for (int i = 0; i < 300; i++) {
            assertThat(holds(index, i)).as("id %d", i).isFalse();
        }
        assertThat(index.stats().diskIds()).isZero();
        assertThat(index.stats().memoryIds()).isZero();
        assertThat(sliceFiles()).isZero();
    }

    @Test
    void aRestoreAfterTheWindowDoesNotNeedTheReleasedSlices() throws IOException {
        DedupIndex index = index(TINY);
        for (int i = 0; i < 100; i++) {
            index.put(fp(i), pos(i), now());
        }
        byte[] cp = checkpoint(index);
        clock.advance(WINDOW.plusMinutes(1));
        index.maintain(); // deletes the slices the checkpoint names
        index.close();
        DedupIndex reopened = index(TINY);
        restore(reopened, cp);
        assertThat(reopened.stats().diskIds()).isZero();
        assertThat(holds(reopened, 5)).isFalse();
    }

    @Test
    void slicesAreMergedDownAndTheMergedAwayFilesGoOnlyAfterTheNextCheckpoint() throws IOException {
        DedupIndex index = index(TINY);
        for (int i = 0; i < 600; i++) {
            index.put(fp(i), pos(i), now());
        }
        index.settle();
        DedupIndex.Stats s = index.stats();
        assertThat(s.slices()).isLessThanOrEqualTo(DedupIndex.MERGE_ABOVE);
        assertThat(s.memoryIds() + s.diskIds()).isEqualTo(600);
        for (int i = 0; i < 600; i++) {
            assertThat(holds(index, i)).as("id %d", i).isTrue();
        }
        // the merged-away files are still there for the last checkpoint (none yet) ...
        assertThat(sliceFiles()).isGreaterThan(s.slices());
        byte[] cp = checkpoint(index);
        index.checkpointed();
        // ... and gone once a checkpoint naming the merged slices is durable
        assertThat(sliceFiles()).isEqualTo(index.stats().slices());
        index.close();
        DedupIndex reopened = index(TINY);
        restore(reopened, cp);
        for (int i = 0; i < 600; i++) {
            assertThat(holds(reopened, i)).isTrue();
        }
    }

    @Test
    void aCrashAfterAMergeRestoresTheSlicesTheCheckpointNames() throws IOException {
        DedupIndex index = index(TINY);
        for (int i = 0; i < 60; i++) {
            index.put(fp(i), pos(i), now());
        }
        byte[] cp = checkpoint(index); // names the unmerged slices
        for (int i = 60; i < 600; i++) {
            index.put(fp(i), pos(i), now());
        }
        index.settle(); // merges, including slices the checkpoint names
        index.close(); // a crash: no checkpoint after the merges
        DedupIndex reopened = index(TINY);
        restore(reopened, cp);
        for (int i = 0; i < 60; i++) {
            assertThat(holds(reopened, i)).as("id %d", i).isTrue();
        }
    }

    @Test
    void slicesFarApartInTimeAreNotMerged() throws IOException {
        DedupIndex index = index(TINY);
        for (int i = 0; i < 110; i++) {
            index.put(fp(i), pos(i), now());
            if (i % 11 == 10) {
                clock.advance(WINDOW.dividedBy(4)); // every spill a quarter window after the previous one
            }
        }
        index.settle();
        assertThat(index.stats().slices()).isGreaterThan(DedupIndex.MERGE_ABOVE - 1);
    }

    @Test
    void aLargeBudgetKeepsEverythingInMemory() throws IOException {
        DedupIndex index = index(1 << 20);
        for (int i = 0; i < 5000; i++) {
            index.put(fp(i), pos(i), now());
        }
        assertThat(index.stats().memoryIds()).isEqualTo(5000);
        assertThat(index.stats().diskIds()).isZero();
        assertThat(sliceFiles()).isZero();
    }

    static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
