package dev.tally.engine.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.engine.log.LogPosition;
import dev.tally.engine.log.LogReadException;
import dev.tally.engine.log.SegmentLog;
import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.engine.objectstore.ObjectInfo;
import dev.tally.engine.objectstore.ObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compressed and archived segments read back by position and by scan, and crashes at every step of archiving. */
class LogArchiveTest {
    static final long T0 = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();
    /** Test records carry their time in their first 8 bytes. */
    static final RecordTimes TIMES = r -> ByteBuffer.wrap(r).getLong();

    @TempDir
    Path tmp;

    SegmentLog log;
    LogArchive archive;
    final List<Long> positions = new ArrayList<>();
    final List<byte[]> records = new ArrayList<>();

    Path logDir() {
        return tmp.resolve("log");
    }

    Path storeDir() {
        return tmp.resolve("archive");
    }

    /** A put-counting wrapper over a real directory store. */
    static final class CountingStore implements ObjectStore {
        final ObjectStore inner;
        final AtomicInteger puts = new AtomicInteger();

        CountingStore(ObjectStore inner) {
            this.inner = inner;
        }

        @Override
        public ObjectInfo put(String key, Path source) {
            puts.incrementAndGet();
            return inner.put(key, source);
        }

        @Override
        public Optional<ObjectInfo> get(String key, Path target) {
            return inner.get(key, target);
        }

        @Override
        public Optional<ObjectInfo> head(String key) {
            return inner.head(key);
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return inner.list(prefix);
        }

        @Override
        public void delete(String key) {
            inner.delete(key);
        }

        @Override
        public String describe() {
            return inner.describe();
        }
    }

    CountingStore store;

    ArchiveSettings settings() {
        store = new CountingStore(new DirectoryObjectStore(storeDir()));
        return ArchiveSettings.DEFAULTS.withTarget(store);
    }

    void open(ArchiveSettings settings) {
        archive = LogArchive.open(logDir(), settings, TIMES);
        log = SegmentLog.open(logDir(), 64 * 1024, archive);
        archive.attach(log);
    }

    void reopen(ArchiveSettings settings) {
        close();
        open(settings);
    }

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
            archive.close();
            log = null;
        }
    }

    /** About 5 segments of 64 KiB: records of 30..800 bytes with increasing times, one bigger than a block. */
    void fill() {
        Random random = new Random(7);
        for (int batch = 0; batch < 60; batch++) {
            List<byte[]> b = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = records.size() + b.size();
                int size = n == 333 ? CompressedSegment.BLOCK_BYTES + 1000 : 30 + random.nextInt(770);
                ByteBuffer r = ByteBuffer.allocate(Math.max(size, 80));
                r.putLong(T0 + n * 60L);
                r.put(("event " + n + " customer-" + (n % 17) + " tokens " + random.nextInt(4000))
                        .getBytes(StandardCharsets.UTF_8));
                b.add(r.array());
            }
            for (long p : log.append(b)) {
                positions.add(p);
            }
            records.addAll(b);
        }
    }

    void assertEverythingReadable() {
        for (int i = 0; i < records.size(); i++) {
            assertThat(log.read(positions.get(i))).as("record %d", i).isEqualTo(records.get(i));
        }
        List<byte[]> scanned = new ArrayList<>();
        log.scan(SegmentLog.START, (p, r) -> scanned.add(r));
        assertThat(scanned).hasSameSizeAs(records);
        for (int i = 0; i < records.size(); i++) {
            assertThat(scanned.get(i)).isEqualTo(records.get(i));
        }
    }

    List<String> files(Path dir, String glob) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.newDirectoryStream(dir, glob)) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
    }

    @Test
    void compressedSegmentsAnswerReadsByPositionAndScansAndSurviveAReopen() throws IOException {
        open(settings());
        fill();
        int sealed = log.segmentCount() - 1;
        assertThat(sealed).isGreaterThan(3);
        long plainBytes = log.sizeBytes();
        assertThat(archive.compressClosed()).isEqualTo(sealed);
        assertThat(files(logDir(), "segment-*.log")).hasSize(1);
        assertThat(files(logDir(), "segment-*.zlog")).hasSize(sealed);
        assertThat(log.plainSealedSegments()).isEmpty();
        assertEverythingReadable();
        assertThat(archive.stats().localBytes()).isLessThan(plainBytes);
        assertThat(archive.stats().compressedSegments()).isEqualTo(sealed);
        reopen(settings());
        assertEverythingReadable();
        assertThat(log.sizeBytes()).isEqualTo(plainBytes);
        log.append(List.of(ByteBuffer.allocate(16).putLong(T0).array())); // still appends after the active segment
    }

    @Test
    void anInterruptedReaderDoesNotBreakACompressedSegmentForOthers() throws Exception {
        open(settings());
        fill();
        archive.compressClosed();
        reopen(settings()); // no block decompressed yet
        Thread interrupted = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                log.read(positions.get(0));
            } catch (RuntimeException expected) {
                // the interrupt closed the shared channel under this reader
            }
        });
        interrupted.start();
        interrupted.join();
        assertEverythingReadable();
    }

    @Test
    void anArchivedSegmentIsRemovedLocallyAndReadBackFromTheStore() throws IOException {
        open(settings());
        fill();
        archive.compressClosed();
        List<Integer> old = archive.olderThan(Instant.ofEpochSecond(T0 + 400 * 60));
        assertThat(old).isNotEmpty().startsWith(1);
        for (int n : old) {
            archive.archive(n);
        }
        assertThat(files(logDir(), "segment-*.zlog")).hasSize(log.segmentCount() - 1 - old.size());
        assertThat(store.list("log/")).hasSize(old.size());
        assertThat(archive.stats().archivedSegments()).isEqualTo(old.size());
        assertThat(archive.stats().oldestLocalRecord().orElseThrow())
                .isAfter(Instant.ofEpochSecond(T0 + 60L * 300));
        assertEverythingReadable();
        assertThat(archive.stats().archivedReads()).isPositive();
        reopen(settings());
        assertEverythingReadable();
        // archiving again is a no-op in effect: same key, same checksum, no second object
        assertThat(store.list("log/")).hasSize(old.size());
    }

    @Test
    void aScanFromATimeSkipsSegmentsWhollyOlder() {
        open(settings());
        fill();
        archive.compressClosed();
        assertThat(archive.firstPositionFrom(Instant.ofEpochSecond(T0))).isEqualTo(SegmentLog.START);
        long late = archive.firstPositionFrom(Instant.ofEpochSecond(T0 + 60L * 1100));
        int segment = LogPosition.of(late).segment();
        assertThat(segment).isGreaterThan(1);
        // every record before it is older; the first record of it or a later one is not
        for (int i = 0; i < records.size(); i++) {
            if (positions.get(i) < late) {
                assertThat(TIMES.latestEpochSecond(records.get(i))).isLessThan(T0 + 60L * 1100);
            }
        }
    }

    @Test
    void aCrashBetweenCompressAndRenameLosesNothingAndCompressionResumes() throws IOException {
        open(settings());
        fill();
        archive.crashHook(point -> {
            if (point.equals("compressed")) {
                throw new SimulatedCrash();
            }
        });
        assertThatThrownBy(archive::compressClosed).isInstanceOf(SimulatedCrash.class);
        assertThat(files(logDir(), "segment-*.zlog.tmp")).hasSize(1);
        reopen(settings());
        assertThat(files(logDir(), "segment-*.zlog.tmp")).isEmpty();
        assertThat(files(logDir(), "segment-0000000001.log")).hasSize(1);
        assertEverythingReadable();
        assertThat(archive.compressClosed()).isEqualTo(log.segmentCount() - 1);
        assertEverythingReadable();
    }

    @Test
    void aCrashAfterTheRenameBeforeThePlainFileIsDeletedKeepsOneCopy() throws IOException {
        open(settings());
        fill();
        archive.crashHook(point -> {
            if (point.equals("renamed")) {
                throw new SimulatedCrash();
            }
        });
        assertThatThrownBy(archive::compressClosed).isInstanceOf(SimulatedCrash.class);
        assertThat(files(logDir(), "segment-0000000001.*")).hasSize(2);
        reopen(settings());
        assertThat(files(logDir(), "segment-0000000001.*")).containsExactly("segment-0000000001.zlog");
        assertEverythingReadable();
    }

    @Test
    void aCrashBetweenUploadAndLocalDeleteLosesNothingAndMakesNoDuplicateObject() throws IOException {
        for (String point : List.of("uploaded", "recorded")) {
            open(settings());
            if (records.isEmpty()) {
                fill();
            }
            archive.compressClosed();
            int next = archive.olderThan(Instant.parse("2100-01-01T00:00:00Z")).get(0);
            archive.crashHook(p -> {
                if (p.equals(point)) {
                    throw new SimulatedCrash();
                }
            });
            assertThatThrownBy(() -> archive.archive(next)).isInstanceOf(SimulatedCrash.class);
            reopen(settings());
            assertEverythingReadable();
            if (point.equals("uploaded")) { // not recorded: still local, archived again on the next pass
                assertThat(archive.olderThan(Instant.parse("2100-01-01T00:00:00Z"))).startsWith(next);
                int puts = store.puts.get();
                archive.archive(next);
                assertThat(store.puts.get()).as("the uploaded object is found, not sent again").isEqualTo(puts);
            } else { // recorded: the local copy is gone at open, reads go to the archive
                assertThat(files(logDir(), String.format("segment-%010d.*", next))).isEmpty();
            }
            assertEverythingReadable();
            assertThat(store.list("log/").stream().filter(o -> o.key().contains(String.format("%010d", next))))
                    .hasSize(1);
            close();
        }
        assertThat(store.list("log/")).hasSize(2);
    }

    @Test
    void withoutAStoreAReadOfAnArchivedSegmentSaysWhereItIs() {
        open(settings());
        fill();
        archive.compressClosed();
        archive.archive(1);
        reopen(ArchiveSettings.DEFAULTS);
        assertThatThrownBy(() -> log.read(positions.get(0))).isInstanceOf(LogReadException.class)
                .cause().hasMessageContaining("segment 1 is archived at " + store.describe())
                .hasMessageContaining("log/segment-0000000001-");
        assertThat(log.read(positions.get(positions.size() - 1))).isEqualTo(records.get(records.size() - 1));
    }

    @Test
    void aSegmentFetchedBackDoesNotMatchTheManifestIsRefused() throws IOException {
        open(settings());
        fill();
        archive.compressClosed();
        archive.archive(1);
        String key = store.list("log/").get(0).key();
        close();
        // replace the object with other (valid-looking) bytes under the same key
        Path other = tmp.resolve("other");
        Files.write(other, new byte[] {1, 2, 3});
        new DirectoryObjectStore(storeDir()).put(key, other);
        open(settings());
        assertThatThrownBy(() -> log.read(positions.get(0))).isInstanceOf(LogReadException.class)
                .cause().hasMessageContaining("does not match the manifest's checksum");
    }

    @Test
    void compressionIsRefusedOnADamagedSegment() throws IOException {
        open(settings());
        fill();
        close();
        Path first = logDir().resolve("segment-0000000001.log");
        byte[] bytes = Files.readAllBytes(first);
        bytes[100] ^= 0x55;
        Files.write(first, bytes);
        open(settings());
        assertThatThrownBy(archive::compressClosed).hasMessageContaining("cannot compress segment 1");
        try (Stream<Path> s = Files.list(logDir())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".zlog")
                    || n.endsWith(".tmp"));
        }
    }

    @Test
    void settingsComeFromTheEnvironment() {
        ArchiveSettings s = ArchiveSettings.fromEnvironment(java.util.Map.of("TALLY_LOG_LOCAL_RETENTION_HOURS", "48",
                "TALLY_ARCHIVE_DIR", storeDir().toString(), "TALLY_ARCHIVE_EVERY_MINUTES", "5"));
        assertThat(s.localRetention()).isEqualTo(Duration.ofHours(48));
        assertThat(s.every()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.target().orElseThrow().describe()).contains(storeDir().getFileName().toString());
        assertThat(ArchiveSettings.fromEnvironment(java.util.Map.of())).isEqualTo(ArchiveSettings.DEFAULTS);
        assertThatThrownBy(() -> ArchiveSettings.fromEnvironment(java.util.Map.of("TALLY_LOG_COMPRESS", "false",
                "TALLY_ARCHIVE_DIR", storeDir().toString()))).isInstanceOf(IllegalArgumentException.class);
    }

    static final class SimulatedCrash extends RuntimeException {
    }
}
