package dev.tally.kafka.owned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.time.ManualClock;
import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.kafka.EventRecords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The partition store's progress records, its feed and its snapshots. */
class PartitionEventStoreTest {
    static final Instant NOW = Instant.parse("2026-11-15T12:00:00Z");
    final ManualClock clock = new ManualClock(NOW);

    @TempDir
    Path dir;

    /** An event record in the engine's layout (see the engine's LogRecord), with empty data. */
    static EventStore.Candidate event(String id) {
        byte[][] strings = {utf8("default"), utf8("//api"), utf8(id), utf8("call"), utf8("cust-1")};
        int size = 1 + 12 + 12 + 4;
        for (byte[] s : strings) {
            size += 4 + s.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put((byte) 1);
        for (byte[] s : strings) {
            b.putInt(s.length).put(s);
        }
        b.putLong(NOW.getEpochSecond()).putInt(0).putLong(NOW.getEpochSecond()).putInt(0).putInt(0);
        return EventRecords.candidate(b.array());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    PartitionEventStore open(Path d) {
        return PartitionEventStore.open(d, 2, 4096, Duration.ofDays(40), 1 << 20, clock);
    }

    static List<String> scannedIds(PartitionEventStore s) {
        List<String> ids = new ArrayList<>();
        s.scan(s.start(), (p, bytes) -> {
            ids.add(new String(EventRecords.candidate(bytes).id(), StandardCharsets.UTF_8));
            return true;
        });
        return ids;
    }

    @Test
    void storesEachEventOnceWithTheNextOffsetAndReopensAtIt() {
        try (PartitionEventStore s = open(dir)) {
            assertThat(s.nextOffset()).isZero();
            assertThat(s.feed(List.of(event("a"), event("b"), event("c")), 3)).isEqualTo(3);
            // a repeat of a stored event, and one new event twice in one run
            assertThat(s.feed(List.of(event("b"), event("d"), event("d")), 6)).isEqualTo(1);
            assertThat(s.nextOffset()).isEqualTo(6);
            assertThat(scannedIds(s)).as("nothing before the engine has applied it").isEmpty();
            assertThat(s.poll()).hasSize(4);
            assertThat(scannedIds(s)).as("events only, no progress records").containsExactly("a", "b", "c", "d");
        }
        try (PartitionEventStore s = open(dir)) {
            assertThat(s.nextOffset()).isEqualTo(6);
            assertThat(scannedIds(s)).containsExactly("a", "b", "c", "d");
            assertThatThrownBy(() -> s.feed(List.of(), 5)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void findsTheLastOffsetAcrossManySegments() {
        try (PartitionEventStore s = open(dir)) {
            for (int run = 0; run < 60; run++) {
                int r = run;
                s.feed(IntStream.range(0, 5).mapToObj(i -> event("e" + r + "-" + i)).toList(), 5L * (run + 1));
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve("log"))) {
            assertThat(files.filter(f -> f.getFileName().toString().startsWith("segment-")).count()).isGreaterThan(3);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try (PartitionEventStore s = open(dir)) {
            assertThat(s.nextOffset()).isEqualTo(300);
            assertThat(scannedIds(s)).hasSize(300);
        }
    }

    @Test
    void restoresTheHighestPublishedSnapshotAndKeepsTwo() {
        PartitionSnapshots snapshots = new PartitionSnapshots(new DirectoryObjectStore(dir.resolve("store")), "t");
        Path a = dir.resolve("a");
        try (PartitionEventStore s = open(a)) {
            for (int run = 0; run < 30; run++) {
                int r = run;
                s.feed(IntStream.range(0, 5).mapToObj(i -> event("e" + r + "-" + i)).toList(), 5L * (run + 1));
                if (run % 10 == 9) {
                    snapshots.publish(2, s.logDirectory(), s.nextOffset());
                }
            }
        }
        // a late snapshot of an older state (a worker that lost the partition) does not become the latest
        Path b = dir.resolve("b");
        try (PartitionEventStore s = open(b)) {
            s.feed(List.of(event("late")), 7);
            snapshots.publish(2, s.logDirectory(), s.nextOffset());
        }
        PartitionSnapshots.Latest latest = snapshots.latest(2).orElseThrow();
        assertThat(latest.offset()).isEqualTo(150);
        Path restored = dir.resolve("restored");
        assertThat(snapshots.restore(latest, restored.resolve("log"))).isEqualTo(150);
        try (PartitionEventStore s = open(restored)) {
            assertThat(s.nextOffset()).isEqualTo(150);
            assertThat(scannedIds(s)).hasSize(150).doesNotContain("late");
        }
        long manifests = new DirectoryObjectStore(dir.resolve("store")).list("t/2/snapshots/").stream()
                .filter(o -> o.key().endsWith("/manifest")).count();
        assertThat(manifests).isEqualTo(2);
    }
}
