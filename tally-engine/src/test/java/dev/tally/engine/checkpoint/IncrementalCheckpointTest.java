package dev.tally.engine.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.engine.CheckpointFixtures;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.ingest.Checkpoints;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.ingest.LocalEventStore;
import dev.tally.engine.log.DedupIndex;
import dev.tally.engine.log.SegmentLog;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.MetadataStore;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Incremental checkpoints: what a delta costs, and restarts from every state a crash can leave the chain in (the
 * data directory is copied at each step of a checkpoint and of a compaction, as a {@code kill -9} there would leave
 * it) recover exact totals, exact duplicate detection and a clean reconciliation.
 */
class IncrementalCheckpointTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final ObjectMapper mapper = Json.newMapper();
    final List<String> databases = new ArrayList<>();

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    /** Sends events {@code from} until {@code to} (value i, customers c0.., hours 10:00 and 11:00); returns accepted. */
    static long send(Engine e, int from, int to, int customers) {
        long accepted = 0;
        for (int start = from; start < to; start += 5_000) {
            accepted += sendBatch(e, start, Math.min(to, start + 5_000), customers).accepted();
        }
        return accepted;
    }

    static IngestResult sendBatch(Engine e, int from, int to, int customers) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                    .append("\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"c").append(i % customers)
                    .append("\",\"time\":\"2026-11-20T1").append(i % 2).append(":").append(10 + i % 50)
                    .append(":00Z\",\"data\":{\"n\":").append(i).append("}}");
        }
        byte[] body = sb.append("]").toString().getBytes(StandardCharsets.UTF_8);
        return e.ingest(Engine.DEFAULT_TENANT, e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
    }

    static long sum(int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) {
            s += i;
        }
        return s;
    }

    String total(Engine e, String meter) {
        return e.usage(Engine.DEFAULT_TENANT, new UsageRequest(meter, Optional.empty(), NOW.minusSeconds(86_400),
                NOW, Window.NONE, ZoneOffset.UTC, List.of(), Map.of())).get(0).value().toPlainString();
    }

    void createMeters(Engine e) throws Exception {
        e.createMeter(Engine.DEFAULT_TENANT, mapper.readTree(
                "{\"key\":\"n\",\"event_type\":\"t\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
        e.createMeter(Engine.DEFAULT_TENANT, mapper.readTree(
                "{\"key\":\"top\",\"event_type\":\"t\",\"aggregation\":\"max\",\"value_path\":\"n\"}"));
    }

    /** Restarts on {@code data} and checks it holds exactly events [0, sent) minus {@code cancelled}. */
    void assertRecovered(EngineConfig config, int sent, List<Integer> cancelled, int customers) {
        try (Engine e = Engine.open(config, clock)) {
            long expected = sum(0, sent) - cancelled.stream().mapToLong(Integer::longValue).sum();
            assertThat(total(e, "n")).isEqualTo(String.valueOf(expected));
            int max = sent - 1;
            while (cancelled.contains(max)) {
                max--;
            }
            assertThat(total(e, "top")).isEqualTo(String.valueOf(max));
            assertThat(send(e, 0, sent, customers)).as("every event is remembered as a duplicate").isZero();
            assertThat(e.reconcile(Engine.DEFAULT_TENANT, NOW.minusSeconds(86_400), NOW).differences()).isEmpty();
            assertThat(send(e, sent, sent + 10, customers)).isEqualTo(10);
            assertThat(total(e, "n")).isEqualTo(String.valueOf(expected + sum(sent, sent + 10)));
        }
    }

    @Test
    void aDeltaAfterSmallChangesWritesBytesInProportionToTheChangesNotToTheState() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            createMeters(e);
            send(e, 0, 20_000, 500);
            assertThat(e.checkpoint()).isTrue();
            CheckpointStats base = e.checkpointStats();
            assertThat(base.lastWasFull()).isTrue();
            assertThat(base.lastBytesWritten()).as("every id and position of 20,000 events").isGreaterThan(20_000 * 24);

            List<Long> tenEventDeltas = new ArrayList<>();
            int next = 20_000;
            for (int round = 0; round < 5; round++) {
                send(e, next, next + 10, 500);
                next += 10;
                assertThat(e.checkpoint()).isTrue();
                CheckpointStats s = e.checkpointStats();
                assertThat(s.lastWasFull()).isFalse();
                tenEventDeltas.add(s.lastBytesWritten());
            }
            send(e, next, next + 1_000, 500);
            next += 1_000;
            e.checkpoint();
            long thousand = e.checkpointStats().lastBytesWritten();

            for (long d : tenEventDeltas) {
                assertThat(d).as("a delta of 10 events").isLessThan(base.lastBytesWritten() / 50)
                        .isLessThan(4_000);
            }
            assertThat(tenEventDeltas.get(4)).as("the fifth delta costs what the first did, not the chain")
                    .isLessThan(tenEventDeltas.get(0) * 2);
            long perEvent = (thousand - tenEventDeltas.get(0)) / 990;
            assertThat(perEvent).as("bytes per changed event").isBetween(16L, 200L);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void restartAfterACrashBetweenDeltaWritesRecoversExactTotalsAndDedup(TestStore store) throws Exception {
        // (the small chain is compacted along the way: deltas soon outgrow half of its base)
        Path data = dir.resolve("data");
        Path crashed = dir.resolve("crashed");
        EngineConfig config = store.config(data, databases);
        List<Integer> cancelled = new ArrayList<>();
        int sent;
        try (Engine e = Engine.open(config, clock)) {
            createMeters(e);
            send(e, 0, 300, 7);
            e.checkpoint(); // base
            send(e, 300, 400, 7);
            e.checkpoint(); // delta 1
            e.checkpoints().awaitCompaction();
            e.cancel(Engine.DEFAULT_TENANT, "s", "e399"); // the max of its hour: recomputed from the others
            cancelled.add(399);
            e.cancel(Engine.DEFAULT_TENANT, "s", "e5");
            cancelled.add(5);
            send(e, 400, 450, 7);
            e.checkpoint(); // delta 2
            e.checkpoints().awaitCompaction();
            send(e, 450, 500, 7);
            e.checkpoints().crashPoints(step -> {
                if (step.equals("delta-written")) {
                    CheckpointFixtures.copyTree(data, crashed); // delta 3 is whole but not in the manifest yet
                }
            });
            e.checkpoint();
            e.checkpoints().crashPoints(step -> { });
            sent = 500;
        }
        assertThat(crashed).exists();
        assertRecovered(at(config, crashed), sent, cancelled, 7);
    }

    /** The same configuration (store, database) on another data directory. */
    static EngineConfig at(EngineConfig c, Path data) {
        return new EngineConfig(data, c.limits(), c.bootstrapKey(), c.segmentBytes(), c.billingEvery(),
                c.databaseUrl(), c.webhooks(), c.secrets(), c.dedup());
    }

    @Test
    void aTornOrDamagedLastDeltaIsIgnoredAndTheReplayCoversIt() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            createMeters(e);
            send(e, 0, 3_000, 5); // a base much larger than the two deltas: no compaction
            e.checkpoint();
            send(e, 3_000, 3_060, 5);
            e.checkpoint();
            send(e, 3_060, 3_100, 5);
            e.checkpoint();
        }
        Path chain = dir.resolve("checkpoint");
        List<Path> deltas = CheckpointFixtures.files(chain, "delta-");
        assertThat(deltas).hasSizeGreaterThanOrEqualTo(2);
        Path last = deltas.get(deltas.size() - 1);
        byte[] bytes = Files.readAllBytes(last);
        bytes[bytes.length / 2] ^= 0x5A; // damaged after it was named
        Files.write(last, bytes);
        // a torn write of the next delta and of a manifest: never named, never read
        Files.write(chain.resolve("delta-9999999999999999.ckpt.tmp"), new byte[] {1, 2, 3});
        Files.write(chain.resolve("manifest.tmp"), new byte[] {4});
        assertRecovered(EngineConfig.of(dir), 3_100, List.of(), 5);
        assertThat(CheckpointFixtures.files(chain, "")).allSatisfy(p -> assertThat(p.toString()).doesNotEndWith(".tmp"));
        assertThat(chain.resolve(last.getFileName())).doesNotExist();
    }

    @ParameterizedTest
    @MethodSource("stores")
    void restartAfterACrashDuringCompactionRecoversExactTotalsAndDedup(TestStore store) throws Exception {
        Path data = dir.resolve("data");
        EngineConfig config = store.config(data, databases);
        Map<String, Path> crashes = new HashMap<>();
        int sent = 0;
        try (Engine e = Engine.open(config, clock)) {
            createMeters(e);
            send(e, 0, 100, 6);
            e.checkpoint();
            sent = 100;
            e.checkpoints().crashPoints(step -> {
                if (step.startsWith("compact")) {
                    Path copy = dir.resolve("crash-" + step);
                    CheckpointFixtures.copyTree(data, copy);
                    crashes.put(step, copy);
                }
            });
            // deltas outgrow half the small base after a few rounds: a compaction starts
            for (int round = 0; round < 20 && e.checkpointStats().compactions() == 0; round++) {
                send(e, sent, sent + 40, 6);
                sent += 40;
                e.checkpoint();
                e.checkpoints().awaitCompaction();
            }
            e.checkpoints().crashPoints(step -> { });
            assertThat(e.checkpointStats().compactions()).isEqualTo(1);
            assertThat(e.checkpointStats().deltas()).isZero();
        }
        assertThat(crashes).containsOnlyKeys("compacted-base-written", "compaction-installed");
        // the compacted base is written but not named yet: the old chain is loaded, the new base deleted
        Path before = crashes.get("compacted-base-written").resolve("checkpoint");
        assertThat(CheckpointFixtures.files(before, "base-")).hasSize(2);
        String compacted = CheckpointFixtures.files(before, "base-").get(1).getFileName().toString();
        List<String> replaced = CheckpointFixtures.files(before, "").stream().map(p -> p.getFileName().toString())
                .filter(n -> !n.equals("manifest") && !n.equals(compacted)).toList();
        assertThat(replaced).isNotEmpty();
        assertRecovered(at(config, crashes.get("compacted-base-written")), sent, List.of(), 6);
        assertThat(CheckpointFixtures.files(before, "base-")).hasSize(1);
        // (on PostgreSQL the events that recovery added are in the shared database: the next one has them too)
        int truth = store.postgres() ? sent + 10 : sent;
        // the new base is named, the replaced files are still there: they are deleted
        Path after = crashes.get("compaction-installed").resolve("checkpoint");
        assertThat(CheckpointFixtures.files(after, "delta-")).isNotEmpty();
        assertRecovered(at(config, crashes.get("compaction-installed")), truth, List.of(), 6);
        assertThat(after.resolve(compacted)).exists();
        for (String old : replaced) {
            assertThat(after.resolve(old)).as("replaced by the compaction").doesNotExist();
        }
    }

    @Test
    void aFormatTwoCheckpointIsReadOnUpgradeAndReplacedByAChain() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            createMeters(e);
            send(e, 0, 250, 4);
            e.cancel(Engine.DEFAULT_TENANT, "s", "e7");
        }
        writeFormatTwo(dir, false);
        CheckpointFixtures.deleteTree(dir.resolve("checkpoint"));
        assertThat(dir.resolve("checkpoint.bin")).exists();
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            assertThat(total(e, "n")).isEqualTo(String.valueOf(sum(0, 250) - 7));
            send(e, 250, 260, 4);
            assertThat(e.checkpoint()).isTrue();
            assertThat(e.checkpointStats().lastWasFull()).as("the first checkpoint after the upgrade").isTrue();
        }
        assertThat(dir.resolve("checkpoint.bin")).doesNotExist();
        assertRecovered(EngineConfig.of(dir), 260, List.of(7), 4);
    }

    @Test
    void aFormatTwoCheckpointIsWhatTheUpgradeLoads() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            createMeters(e);
            send(e, 0, 100, 4);
            e.checkpoint();
            CheckpointFixtures.copyTree(dir.resolve("checkpoint"), dir.resolve("early"));
            send(e, 100, 150, 4);
        }
        // A probe: a format-2 file holding the state after 100 events but claiming the end of the log (150). A
        // restart that reads it counts 100 events (nothing is left to replay); a full replay would count 150.
        CheckpointFixtures.deleteTree(dir.resolve("checkpoint"));
        Files.move(dir.resolve("early"), dir.resolve("checkpoint"));
        writeFormatTwo(dir, true);
        CheckpointFixtures.deleteTree(dir.resolve("checkpoint"));
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            assertThat(total(e, "n")).isEqualTo(String.valueOf(sum(0, 100)));
        }
    }

    /**
     * Writes a format-2 {@code checkpoint.bin} of a closed engine's data directory, with the format-2 writer, from
     * the state its chain holds (the chain is read with the store as the engine builds it), at the chain's position
     * or, with {@code claimLogEnd}, claiming the end of the log.
     */
    private void writeFormatTwo(Path data, boolean claimLogEnd) throws Exception {
        Map<String, Long> generations = new HashMap<>();
        try (Database db = Database.open(data.resolve("tally.db"))) {
            MetadataStore meta = new MetadataStore(db);
            for (String tenant : meta.tenants()) {
                generations.put(tenant, meta.meterGeneration(tenant));
            }
        }
        EngineConfig c = EngineConfig.of(data);
        LocalEventStore store = new LocalEventStore(SegmentLog.open(data.resolve("log"), c.segmentBytes()),
                new DedupIndex(data.resolve("dedup"), c.dedup().windowFor(c.limits().backdatingWindow(),
                        c.limits().futureTolerance()), c.dedup().memoryBytes(), clock), clock);
        try (CheckpointStore chain = new CheckpointStore(data, CheckpointSettings.DEFAULTS, clock)) {
            CheckpointStore.Loaded loaded = chain.load(generations, store).orElseThrow();
            long position = claimLogEnd ? store.endPosition() : loaded.logPosition();
            new Checkpoints(data).write(position, generations, store, loaded.usage());
        } finally {
            store.close();
        }
    }
}
