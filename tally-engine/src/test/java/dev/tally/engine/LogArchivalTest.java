package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.IngestLimits;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.archive.ArchiveSettings;
import dev.tally.engine.archive.Archiver;
import dev.tally.engine.archive.LogArchive;
import dev.tally.engine.ingest.EventPage;
import dev.tally.engine.ingest.EventQuery;
import dev.tally.engine.ingest.StoredEvent;
import dev.tally.engine.log.DedupSettings;
import dev.tally.engine.notify.WebhookSettings;
import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.secrets.SecretsConfig;
import dev.tally.engine.usage.UsageRequest;
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
 * The embedded log compressed and archived under an engine: reconciliation, event listing and a rebuild from
 * scratch read archived segments back and agree with the live figures; an open invoice period holds its events local.
 */
class LogArchivalTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Instant START = Instant.parse("2026-11-20T12:00:00Z");
    final ManualClock clock = new ManualClock(START);
    final ObjectMapper mapper = Json.newMapper();

    @TempDir
    Path dir;

    ObjectStore store() {
        return new DirectoryObjectStore(dir.resolve("archive"));
    }

    /** Backdating 1 hour, dedup window 2 hours, local retention 1 hour, 4 KiB segments, archived to a directory. */
    EngineConfig config(ArchiveSettings archive) {
        IngestLimits limits = IngestLimits.DEFAULTS.withBackdatingWindow(Duration.ofHours(1));
        return new EngineConfig(dir.resolve("data"), limits, Optional.empty(), 4096, Duration.ZERO, Optional.empty(),
                WebhookSettings.MANUAL, SecretsConfig.DEFAULT, DedupSettings.DEFAULTS.withWindow(Duration.ofHours(2)),
                archive);
    }

    EngineConfig config() {
        return config(ArchiveSettings.DEFAULTS.withTarget(store()).withLocalRetention(Duration.ofHours(1)));
    }

    void send(Engine e, int from, int to, Instant time) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                    .append("\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"c").append(i % 3)
                    .append("\",\"time\":\"").append(time.plusSeconds(i % 50)).append("\",\"data\":{\"n\":")
                    .append(i).append("}}");
        }
        byte[] body = sb.append("]").toString().getBytes(StandardCharsets.UTF_8);
        e.ingest(T, e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
    }

    String total(Engine e, String customer) {
        return e.usage(T, new UsageRequest("n", Optional.of(customer), START.minus(Duration.ofDays(1)),
                START.plus(Duration.ofDays(40)), Window.NONE, ZoneOffset.UTC, List.of(), Map.of())).get(0).value()
                .toPlainString();
    }

    List<String> totals(Engine e) {
        return List.of(total(e, "c0"), total(e, "c1"), total(e, "c2"));
    }

    List<StoredEvent> listAll(Engine e, Optional<String> customer) {
        List<StoredEvent> out = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            EventPage page = e.events(T, new EventQuery(customer, Optional.empty(), Optional.of(START.minusSeconds(3600)),
                    Optional.of(START.plus(Duration.ofDays(40))), cursor, 100));
            out.addAll(page.events());
            cursor = page.nextCursor();
        } while (cursor.isPresent());
        return out;
    }

    Reconciliation reconcile(Engine e) {
        return e.reconcile(T, START.minus(Duration.ofDays(1)), START.plus(Duration.ofDays(40)));
    }

    void meter(Engine e) throws Exception {
        e.createMeter(T, mapper.readTree("{\"key\":\"n\",\"event_type\":\"t\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
    }

    @Test
    void archivedSegmentsAreReadBackByReconcileListingAndARebuildFromScratchAndTotalsEqualTheLiveFigures()
            throws Exception {
        List<String> live;
        long scanned;
        try (Engine e = Engine.open(config(), clock)) {
            meter(e);
            for (int i = 0; i < 600; i += 50) {
                send(e, i, i + 50, START.minusSeconds(600));
            }
            e.cancel(T, "s", "e7");
            live = totals(e);
            Reconciliation before = reconcile(e);
            assertThat(before.differences()).isEmpty();
            scanned = before.eventsScanned();
            assertThat(scanned).isEqualTo(599);
            long localBefore = e.logStorage().orElseThrow().localBytes();

            clock.advance(Duration.ofDays(3));
            Archiver.Pass pass = e.retainLog().orElseThrow();
            assertThat(pass.compressed()).isGreaterThan(5);
            assertThat(pass.archived()).isGreaterThan(5);
            LogArchive.Stats s = e.logStorage().orElseThrow();
            assertThat(s.archivedSegments()).isEqualTo(pass.archived());
            assertThat(s.localBytes()).isLessThan(localBefore);
            assertThat(store().list("log/")).hasSize(pass.archived());

            assertThat(totals(e)).isEqualTo(live);
            Reconciliation after = reconcile(e);
            assertThat(after.differences()).isEmpty();
            assertThat(after.eventsScanned()).isEqualTo(scanned);
            assertThat(listAll(e, Optional.empty())).hasSize(600);
            assertThat(listAll(e, Optional.of("c1"))).hasSize(200);
            assertThat(e.logStorage().orElseThrow().archivedReads()).isPositive();
        }
        // a rebuild from scratch: no checkpoint, no duplicate index; the log is replayed from the archive
        Path data = dir.resolve("data");
        deleteRecursively(data.resolve("checkpoint"));
        deleteRecursively(data.resolve("dedup"));
        try (Engine e = Engine.open(config(), clock)) {
            assertThat(totals(e)).isEqualTo(live);
            Reconciliation rebuilt = reconcile(e);
            assertThat(rebuilt.differences()).isEmpty();
            assertThat(rebuilt.eventsScanned()).isEqualTo(scanned);
            send(e, 600, 650, clock.instant().minusSeconds(60)); // the log still appends after archived segments
            e.retainLog().orElseThrow();
            assertThat(reconcile(e).differences()).isEmpty();
            assertThat(e.logStorage().orElseThrow().oldestLocalRecord()).isPresent();
        }
        // without the archive: recent ranges skip archived segments; an archived range says where it is
        try (Engine e = Engine.open(config(ArchiveSettings.DEFAULTS), clock)) {
            Instant recent = clock.instant().minus(Duration.ofHours(1));
            assertThat(e.reconcile(T, recent, clock.instant()).differences()).isEmpty();
            assertThatThrownBy(() -> reconcile(e)).isInstanceOf(dev.tally.engine.log.LogReadException.class)
                    .cause().hasMessageContaining("is archived at " + store().describe())
                    .hasMessageContaining("no archive store is configured");
        }
    }

    @Test
    void anOpenInvoicePeriodKeepsItsEventsLocalUntilItIsFinalized() throws Exception {
        try (Engine e = Engine.open(config(), clock)) {
            meter(e);
            e.billing().createPlan(T, mapper.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"EUR\","
                    + "\"interval\":\"monthly\",\"charges\":[{\"key\":\"n\",\"type\":\"usage\",\"name\":\"N\","
                    + "\"meter\":\"n\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
            e.billing().createCustomer(T, mapper.readTree("{\"external_id\":\"c0\",\"name\":\"C0\",\"timezone\":\"UTC\","
                    + "\"currency\":\"EUR\"}"));
            e.billing().subscribe(T, mapper.readTree("{\"customer\":\"c0\",\"plan\":\"p\"}"));
            e.billing().setGracePeriod(T, Duration.ZERO);
            clock.advance(Duration.ofMinutes(5));
            for (int i = 0; i < 300; i += 50) {
                send(e, i, i + 50, START.plusSeconds(60));
            }
            clock.advance(Duration.ofDays(3));
            Archiver.Pass held = e.retainLog().orElseThrow();
            assertThat(held.compressed()).isPositive();
            assertThat(held.archived()).isZero();
            assertThat(held.held()).isPresent();

            clock.set(START.plus(Duration.ofDays(32)));
            e.billing().run(T); // the first period is invoiced and finalized
            Archiver.Pass released = e.retainLog().orElseThrow();
            assertThat(released.archived()).isPositive();
            assertThat(total(e, "c0")).isEqualTo(String.valueOf(sumOf(0, 300, 3)));
        }
    }

    @Test
    void withoutATargetClosedSegmentsAreCompressedAndStayLocal() throws Exception {
        try (Engine e = Engine.open(config(ArchiveSettings.DEFAULTS), clock)) {
            meter(e);
            for (int i = 0; i < 300; i += 50) {
                send(e, i, i + 50, START.minusSeconds(600));
            }
            clock.advance(Duration.ofDays(30));
            Archiver.Pass pass = e.retainLog().orElseThrow();
            assertThat(pass.compressed()).isPositive();
            assertThat(pass.archived()).isZero();
            assertThat(pass.held()).contains("no archive target is configured");
            assertThat(reconcile(e).differences()).isEmpty();
        }
    }

    static long sumOf(int from, int to, int every) {
        long s = 0;
        for (int i = from; i < to; i += every) {
            s += i;
        }
        return s;
    }

    static void deleteRecursively(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
