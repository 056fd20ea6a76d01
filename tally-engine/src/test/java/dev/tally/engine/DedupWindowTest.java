package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.IngestLimits;
import dev.tally.core.event.Json;
import dev.tally.core.event.RejectionReason;
import dev.tally.engine.ingest.EventStatus;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.log.DedupIndex;
import dev.tally.engine.log.DedupSettings;
import dev.tally.engine.notify.WebhookSettings;
import dev.tally.engine.secrets.SecretsConfig;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dedup window with a small window, a memory tier of a few ids and a clock the test moves. */
class DedupWindowTest {
    static final Instant START = Instant.parse("2026-11-20T12:00:00Z");
    static final Instant EVENT_TIME = START.minusSeconds(600);
    final MovingClock clock = new MovingClock(START);
    final ObjectMapper mapper = Json.newMapper();

    @TempDir
    Path dir;

    /** Backdating 1 hour, dedup window 2 hours, a 256-byte memory tier (spilled every 11 ids), 4 KiB segments. */
    EngineConfig config() {
        IngestLimits limits = IngestLimits.DEFAULTS.withBackdatingWindow(Duration.ofHours(1));
        return new EngineConfig(dir, limits, Optional.empty(), 4096, Duration.ZERO, Optional.empty(),
                WebhookSettings.MANUAL, SecretsConfig.DEFAULT,
                DedupSettings.DEFAULTS.withWindow(Duration.ofHours(2)).withMemoryBytes(256));
    }

    IngestResult send(Engine e, int from, int to) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                    .append("\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"c").append(i % 3)
                    .append("\",\"time\":\"").append(EVENT_TIME).append("\",\"data\":{\"n\":").append(i).append("}}");
        }
        byte[] body = sb.append("]").toString().getBytes(StandardCharsets.UTF_8);
        return e.ingest(Engine.DEFAULT_TENANT, e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
    }

    static long count(IngestResult r, EventStatus.Kind kind) {
        return r.results().stream().filter(s -> s.kind() == kind).count();
    }

    String total(Engine e) {
        return e.usage(Engine.DEFAULT_TENANT, new UsageRequest("n", Optional.empty(), EVENT_TIME.minusSeconds(3600),
                EVENT_TIME.plusSeconds(3600), Window.NONE, ZoneOffset.UTC, List.of(), Map.of())).get(0).value()
                .toPlainString();
    }

    static final String SUM_0_TO_300 = String.valueOf(299 * 300 / 2);

    @Test
    void anIdIsStillADuplicateOnDiskAfterRestartsAndTooOldPastTheWindowNeverCountedTwice() throws Exception {
        try (Engine e = Engine.open(config(), clock)) {
            e.createMeter(Engine.DEFAULT_TENANT, mapper.readTree(
                    "{\"key\":\"n\",\"event_type\":\"t\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
            for (int i = 0; i < 300; i += 50) {
                assertThat(count(send(e, i, i + 50), EventStatus.Kind.ACCEPTED)).isEqualTo(50);
            }
            assertThat(e.checkpoint()).isTrue(); // also waits for the spills in flight
            DedupIndex.Stats s = e.dedupStats().orElseThrow();
            assertThat(s.diskIds()).isGreaterThan(250);
            assertThat(s.memoryIds() + s.diskIds()).isEqualTo(300);
            assertThat(count(send(e, 0, 300), EventStatus.Kind.DUPLICATE)).isEqualTo(300);
            assertThat(total(e)).isEqualTo(SUM_0_TO_300);
        }
        try (Engine e = Engine.open(config(), clock)) { // from the checkpoint written at close
            assertThat(e.dedupStats().orElseThrow().diskIds()).isGreaterThan(250);
            assertThat(count(send(e, 0, 300), EventStatus.Kind.DUPLICATE)).isEqualTo(300);
            assertThat(total(e)).isEqualTo(SUM_0_TO_300);
        }
        CheckpointFixtures.deleteTree(dir.resolve("checkpoint")); // as after a crash before the first checkpoint
        try (Engine e = Engine.open(config(), clock)) { // the whole log replayed, the disk tier rebuilt
            DedupIndex.Stats s = e.dedupStats().orElseThrow(); // spills may still be in flight (counted in memory)
            assertThat(s.memoryIds() + s.diskIds()).isEqualTo(300);
            assertThat(count(send(e, 0, 300), EventStatus.Kind.DUPLICATE)).isEqualTo(300);
            assertThat(total(e)).isEqualTo(SUM_0_TO_300);
            assertThat(e.reconcile(Engine.DEFAULT_TENANT, EVENT_TIME.minusSeconds(3600), EVENT_TIME.plusSeconds(3600))
                    .differences()).isEmpty();
        }
        clock.advance(Duration.ofHours(1).plusMinutes(30)); // inside the dedup window, past backdating
        try (Engine e = Engine.open(config(), clock)) {
            IngestResult r = send(e, 0, 300);
            assertThat(r.results()).allSatisfy(x -> assertThat(x.reason()).contains(RejectionReason.TOO_OLD));
            assertThat(e.rememberedIds()).isEqualTo(300);
        }
        clock.advance(Duration.ofHours(1)); // the events are now older than the dedup window
        try (Engine e = Engine.open(config(), clock)) {
            assertThat(e.rememberedIds()).isZero(); // released on load
            assertThat(count(send(e, 0, 300), EventStatus.Kind.REJECTED)).isEqualTo(300);
            assertThat(send(e, 0, 300).results()).allSatisfy(x -> assertThat(x.reason()).contains(RejectionReason.TOO_OLD));
            assertThat(total(e)).isEqualTo(SUM_0_TO_300);
            assertThat(e.dedupStats().orElseThrow().diskIds()).isZero();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir.resolve("dedup"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".slice"))).isEmpty();
        }
    }

    @Test
    void aWindowShorterThanBackdatingIsRefused() {
        IngestLimits limits = IngestLimits.DEFAULTS.withBackdatingWindow(Duration.ofHours(5));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new EngineConfig(dir, limits, Optional.empty(), 4096,
                Duration.ZERO, Optional.empty(), WebhookSettings.MANUAL, SecretsConfig.DEFAULT,
                DedupSettings.DEFAULTS.withWindow(Duration.ofHours(4)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dedup window");
    }

    @Test
    void theDefaultWindowIsTheBackdatingWindowPlusOneDay() {
        assertThat(DedupSettings.DEFAULTS.windowFor(Duration.ofDays(35), Duration.ofMinutes(5)))
                .isEqualTo(Duration.ofDays(36));
        assertThat(DedupSettings.fromEnvironment(Map.of("TALLY_DEDUP_WINDOW_HOURS", "900", "TALLY_DEDUP_MEMORY_MB", "64")))
                .isEqualTo(new DedupSettings(Optional.of(Duration.ofHours(900)), 64L << 20));
    }

    static final class MovingClock extends Clock {
        private volatile Instant now;

        MovingClock(Instant start) {
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
