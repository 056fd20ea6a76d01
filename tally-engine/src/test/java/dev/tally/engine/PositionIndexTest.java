package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.IngestLimits;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.archive.ArchiveSettings;
import dev.tally.engine.ingest.EventPage;
import dev.tally.engine.ingest.EventQuery;
import dev.tally.engine.ingest.StoredEvent;
import dev.tally.engine.log.DedupSettings;
import dev.tally.engine.notify.WebhookSettings;
import dev.tally.engine.positions.SegmentPositions;
import dev.tally.engine.secrets.SecretsConfig;
import dev.tally.engine.usage.SubjectActivity;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Positions of events in sealed log segments leave the heap for per-segment index files: event listing, usage over
 * windows that cut hours (re-read from the log) and cancels answer exactly as before, after a restart (with an
 * index file missing or damaged) and after a rebuild from scratch; the heap holds the open segment's positions only.
 */
class PositionIndexTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Instant START = Instant.parse("2026-11-20T12:00:00Z");
    final ManualClock clock = new ManualClock(START.plus(Duration.ofDays(1)));
    final ObjectMapper mapper = Json.newMapper();

    @TempDir
    Path dir;

    /** 4 KiB segments (about 25 events each), a backdating window long enough for every event sent. */
    EngineConfig config() {
        return config(dir.resolve("data"));
    }

    EngineConfig config(Path data) {
        IngestLimits limits = IngestLimits.DEFAULTS.withBackdatingWindow(Duration.ofDays(2));
        return new EngineConfig(data, limits, Optional.empty(), 4096, Duration.ZERO, Optional.empty(),
                WebhookSettings.MANUAL, SecretsConfig.DEFAULT, DedupSettings.DEFAULTS.withWindow(Duration.ofDays(3)),
                ArchiveSettings.DEFAULTS);
    }

    /** Events {@code from..to}: customer c(i % 3), 37 s apart from START (about 97 an hour), value i. */
    void send(Engine e, int from, int to) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                    .append("\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"c").append(i % 3)
                    .append("\",\"time\":\"").append(START.plusSeconds(37L * i)).append("\",\"data\":{\"n\":")
                    .append(i).append("}}");
        }
        byte[] body = sb.append("]").toString().getBytes(StandardCharsets.UTF_8);
        e.ingest(T, e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
    }

    void meter(Engine e) throws Exception {
        e.createMeter(T, mapper.readTree("{\"key\":\"n\",\"event_type\":\"t\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
    }

    List<String> usage(Engine e, Optional<String> customer, Instant from, Instant to, Window w) {
        List<String> out = new ArrayList<>();
        for (UsageRow r : e.usage(T, new UsageRequest("n", customer, from, to, w, ZoneOffset.UTC, List.of(), Map.of()))) {
            out.add(r.windowStart() + " " + r.value().toPlainString() + " " + r.events());
        }
        return out;
    }

    List<String> listing(Engine e, String customer, Optional<Instant> from, Optional<Instant> to, int pageSize) {
        List<String> out = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            EventPage page = e.events(T, new EventQuery(Optional.of(customer), Optional.empty(), from, to, cursor,
                    pageSize));
            for (StoredEvent s : page.events()) {
                out.add(s.event().id());
            }
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return out;
    }

    /** Everything the positions answer: listings (whole and cut, small pages), edge-of-window usage, subjects. */
    List<Object> figures(Engine e) {
        List<Object> out = new ArrayList<>();
        Instant from = START.plus(Duration.ofMinutes(10)).plusSeconds(3);
        Instant to = START.plus(Duration.ofHours(5)).plus(Duration.ofMinutes(7));
        for (String c : List.of("c0", "c1", "c2", "nobody")) {
            out.add(listing(e, c, Optional.empty(), Optional.empty(), 7));
            out.add(listing(e, c, Optional.of(from), Optional.of(to), 50));
            out.add(usage(e, Optional.of(c), from, to, Window.NONE));
            out.add(usage(e, Optional.of(c), from, to, Window.HOUR));
        }
        out.add(usage(e, Optional.empty(), from, to, Window.NONE)); // the rollup, its edges read per customer
        out.add(usage(e, Optional.empty(), from.plus(Duration.ofMinutes(50)), from.plus(Duration.ofMinutes(70)),
                Window.NONE)); // inside two hours, no whole hour
        for (SubjectActivity s : e.unmatchedSubjects().list(T)) {
            out.add(s.subject() + " " + s.events());
        }
        return out;
    }

    @Test
    void listingEdgeUsageAndCancelsAfterSegmentsSealedEqualTheFiguresBeforeAcrossRestartsAndARebuild() throws Exception {
        List<Object> before;
        List<Object> afterCancel;
        Path index = dir.resolve("data").resolve("positions");
        try (Engine e = Engine.open(config(), clock)) {
            meter(e);
            for (int i = 0; i < 600; i += 40) {
                send(e, i, i + 40);
            }
            before = figures(e);
            assertThat(e.heapPositions()).isEqualTo(600);
            long dropped = e.indexPositions();
            assertThat(dropped).isGreaterThan(500);
            assertThat(e.heapPositions()).isEqualTo(600 - dropped);
            SegmentPositions.Stats stats = e.positionIndexStats().orElseThrow();
            assertThat(stats.files()).isEqualTo(14); // a batch of 40 events outgrows 4 KiB: one segment each
            assertThat(stats.events()).isEqualTo(dropped);
            assertThat(figures(e)).isEqualTo(before);
            assertThat(listing(e, "c1", Optional.empty(), Optional.empty(), 1000)).hasSize(200);

            e.cancel(T, "s", "e7"); // in the first segment: its hour is recomputed from the index
            e.cancel(T, "s", "e599"); // in the open segment
            afterCancel = figures(e);
            assertThat(afterCancel).isNotEqualTo(before);
            assertThat(usage(e, Optional.of("c1"), START, START.plus(Duration.ofDays(1)), Window.NONE))
                    .containsExactly(START + " " + (sumOf(1, 600) - 7) + " 199");
        }
        // a restart from the checkpoint: the files are loaded, no position of a sealed segment comes back to heap
        try (Engine e = Engine.open(config(), clock)) {
            assertThat(e.heapPositions()).isLessThan(50);
            assertThat(figures(e)).isEqualTo(afterCancel);
            assertThat(e.positionIndexStats().orElseThrow().rebuilt()).isZero();
        }
        // one file missing, one damaged: both rebuilt from their segments at start
        List<Path> files;
        try (Stream<Path> s = Files.list(index)) {
            files = s.sorted().toList();
        }
        Files.delete(files.get(0));
        byte[] damaged = Files.readAllBytes(files.get(3));
        damaged[damaged.length / 2] ^= 0x5a;
        Files.write(files.get(3), damaged);
        try (Engine e = Engine.open(config(), clock)) {
            assertThat(e.positionIndexStats().orElseThrow().rebuilt()).isEqualTo(2);
            assertThat(figures(e)).isEqualTo(afterCancel);
            for (int i = 600; i < 700; i += 40) { // more segments seal
                send(e, i, Math.min(700, i + 40));
            }
            e.indexPositions();
            assertThat(e.heapPositions()).isLessThan(50);
        }
        // a rebuild from scratch: no checkpoint, no index files
        LogArchivalTest.deleteRecursively(dir.resolve("data").resolve("checkpoint"));
        LogArchivalTest.deleteRecursively(index);
        try (Engine e = Engine.open(config(), clock)) {
            assertThat(e.heapPositions()).isLessThan(50);
            assertThat(listing(e, "c1", Optional.empty(), Optional.empty(), 1000)).hasSize(233);
            assertThat(usage(e, Optional.of("c1"), START, START.plus(Duration.ofDays(1)), Window.NONE))
                    .containsExactly(START + " " + (sumOf(1, 700) - 7) + " 232");
        }
    }

    @Test
    void heapPositionsDoNotGrowWithTheEventsOfSealedSegments() throws Exception {
        try (Engine e = Engine.open(config(), clock)) {
            meter(e);
            long most = 0;
            for (int i = 0; i < 2000; i += 40) {
                send(e, i, i + 40);
                e.indexPositions();
                most = Math.max(most, e.heapPositions());
            }
            // at most the open segment's (about 25) plus one batch written before the index caught up
            assertThat(most).isLessThan(80);
            assertThat(e.positionIndexStats().orElseThrow().events()).isGreaterThan(1900);
            assertThat(listing(e, "c2", Optional.empty(), Optional.empty(), 500)).hasSize(666);
        }
    }

    @Test
    void aChainOfIncrementalCheckpointsAcrossIndexingRestoresEverythingAfterACrash() throws Exception {
        Path data = dir.resolve("data");
        Path crashed = dir.resolve("crashed");
        Path scratch = dir.resolve("scratch");
        List<Object> live;
        try (Engine e = Engine.open(config(), clock)) {
            meter(e);
            for (int i = 0; i < 200; i += 40) {
                send(e, i, i + 40);
            }
            assertThat(e.checkpoint()).isTrue(); // the base holds every position (nothing indexed yet)
            for (int i = 200; i < 400; i += 40) {
                send(e, i, i + 40);
            }
            assertThat(e.indexPositions()).isPositive(); // positions written to the base leave the heap
            e.cancel(T, "s", "e4"); // an indexed event: its hour is recomputed from the index
            assertThat(e.checkpoint()).isTrue();
            assertThat(e.checkpointStats().lastWasFull()).isFalse();
            for (int i = 400; i < 520; i += 40) {
                send(e, i, i + 40);
            }
            e.indexPositions();
            e.cancel(T, "s", "e401");
            assertThat(e.checkpoint()).isTrue();
            assertThat(e.checkpointStats().lastWasFull()).isFalse();
            send(e, 520, 560); // after the last checkpoint: replayed at restart
            live = figures(e);
            CheckpointFixtures.copyTree(data, crashed); // kill -9: no checkpoint at close
            CheckpointFixtures.copyTree(data, scratch);
        }
        try (Engine e = Engine.open(config(crashed), clock)) {
            assertThat(e.heapPositions()).isLessThan(50);
            assertThat(figures(e)).isEqualTo(live);
            // the segment the last batch sealed was not indexed before the crash: built at start
            assertThat(e.positionIndexStats().orElseThrow().rebuilt()).isEqualTo(1);
        }
        LogArchivalTest.deleteRecursively(scratch.resolve("checkpoint"));
        LogArchivalTest.deleteRecursively(scratch.resolve("positions"));
        try (Engine e = Engine.open(config(scratch), clock)) {
            assertThat(figures(e)).isEqualTo(live);
            assertThat(e.positionIndexStats().orElseThrow().rebuilt()).isGreaterThan(10);
        }
    }

    @Test
    void onPostgresqlPositionsStayInHeapAndListingIsUnchanged() throws Exception {
        String url = TestDatabases.create();
        try (Engine e = Engine.open(config().onPostgres(url), clock)) {
            meter(e);
            for (int i = 0; i < 200; i += 40) {
                send(e, i, i + 40);
            }
            List<Object> before = figures(e);
            assertThat(e.indexPositions()).isZero(); // no segments: the events table has no per-customer index
            assertThat(e.positionIndexStats()).isEmpty();
            assertThat(e.heapPositions()).isEqualTo(200);
            assertThat(figures(e)).isEqualTo(before);
            assertThat(listing(e, "c1", Optional.empty(), Optional.empty(), 9)).hasSize(67);
        } finally {
            TestDatabases.drop(url);
        }
    }

    static long sumOf(int first, int to) {
        long s = 0;
        for (int i = first; i < to; i += 3) {
            s += i;
        }
        return s;
    }
}
