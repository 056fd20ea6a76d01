package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.IngestLimits;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.archive.ArchiveSettings;
import dev.tally.engine.log.DedupSettings;
import dev.tally.engine.notify.WebhookSettings;
import dev.tally.engine.secrets.SecretsConfig;
import dev.tally.engine.usage.CompactionSettings;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hourly states of closed periods compacted to days and months: every answer (aligned ranges, ranges and windows
 * that cut a compacted day or month, other time zones, whole-tenant questions) equals the hourly one, reconciles
 * with the log, survives a restart, and a cancel in a compacted day recomputes it exactly; a time-weighted sum stays
 * hourly.
 */
class UsageCompactionTest {
    static final String T = Engine.DEFAULT_TENANT;
    /** Events every 10 minutes from here: 600 of them reach 2026-11-03T10:00Z, across the October/November edge. */
    static final Instant START = Instant.parse("2026-10-30T10:00:00Z");
    final ManualClock clock = new ManualClock(START);
    final ObjectMapper mapper = Json.newMapper();

    @TempDir
    Path dir;
    /** The PostgreSQL database of the run, when it uses one. */
    Optional<String> database = Optional.empty();

    @AfterEach
    void dropDatabase() {
        database.ifPresent(TestDatabases::drop);
    }

    EngineConfig config() {
        IngestLimits limits = IngestLimits.DEFAULTS.withBackdatingWindow(Duration.ofDays(2));
        EngineConfig c = new EngineConfig(dir.resolve("data"), limits, Optional.empty(), 4096, Duration.ZERO,
                Optional.empty(), WebhookSettings.MANUAL, SecretsConfig.DEFAULT,
                DedupSettings.DEFAULTS.withWindow(Duration.ofDays(3)), ArchiveSettings.DEFAULTS);
        return database.map(c::onPostgres).orElse(c);
    }

    Instant at(int i) {
        return START.plusSeconds(600L * i);
    }

    void send(Engine e, int from, int to) {
        clock.set(at(to).plusSeconds(60));
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                    .append("\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"c").append(i % 3)
                    .append("\",\"time\":\"").append(at(i)).append("\",\"data\":{\"n\":").append(i)
                    .append(",\"v\":").append((i * 7919) % 101).append("}}");
        }
        e.ingest(T, e.eventReader().read(sb.append("]").toString().getBytes(StandardCharsets.UTF_8),
                CloudEventReader.BodyShape.BATCH));
    }

    void meters(Engine e) throws Exception {
        e.createMeter(T, mapper.readTree("{\"key\":\"n\",\"event_type\":\"t\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
        e.createMeter(T, mapper.readTree("{\"key\":\"m\",\"event_type\":\"t\",\"aggregation\":\"max\",\"value_path\":\"v\"}"));
        e.createMeter(T, mapper.readTree("{\"key\":\"k\",\"event_type\":\"t\",\"aggregation\":\"count\"}"));
        e.createMeter(T, mapper.readTree("{\"key\":\"u\",\"event_type\":\"t\",\"aggregation\":\"unique_count\","
                + "\"value_path\":\"v\"}"));
        e.createMeter(T, mapper.readTree("{\"key\":\"w\",\"event_type\":\"t\",\"aggregation\":\"time_weighted_sum\","
                + "\"value_path\":\"v\",\"time_unit\":\"hour\"}"));
    }

    List<String> rows(Engine e, String meter, Optional<String> customer, Instant from, Instant to, Window w,
            ZoneId zone) {
        List<String> out = new ArrayList<>();
        for (UsageRow r : e.usage(T, new UsageRequest(meter, customer, from, to, w, zone, List.of(), Map.of()))) {
            out.add(r.windowStart() + " " + r.value().stripTrailingZeros().toPlainString() + " " + r.events());
        }
        return out;
    }

    List<Object> figures(Engine e) {
        Instant day1 = Instant.parse("2026-10-31T00:00:00Z");
        Instant nov = Instant.parse("2026-11-01T00:00:00Z");
        List<Instant[]> ranges = List.of(
                new Instant[] {day1, day1.plus(Duration.ofDays(1))}, // one whole day
                new Instant[] {Instant.parse("2026-10-01T00:00:00Z"), nov}, // a whole month
                new Instant[] {day1.plus(Duration.ofHours(5)), day1.plus(Duration.ofHours(29))}, // cuts two days
                new Instant[] {day1.plus(Duration.ofHours(3)), day1.plus(Duration.ofHours(7))}, // inside a day
                new Instant[] {day1.plusSeconds(4000), nov.plusSeconds(9000)}, // cuts hours, days and the month
                new Instant[] {START, at(600)});
        List<Object> out = new ArrayList<>();
        for (dev.tally.engine.usage.SubjectActivity s : e.unmatchedSubjects().list(T)) {
            out.add(s.subject() + " " + s.events()); // the hourly event counts compact too
        }
        for (String meter : List.of("n", "m", "k", "u", "w")) {
            for (Optional<String> c : List.of(Optional.of("c0"), Optional.of("c2"), Optional.<String>empty())) {
                for (Instant[] r : ranges) {
                    out.add(rows(e, meter, c, r[0], r[1], Window.NONE, ZoneOffset.UTC));
                }
                out.add(rows(e, meter, c, START, at(600), Window.HOUR, ZoneOffset.UTC));
                out.add(rows(e, meter, c, START, at(600), Window.DAY, ZoneId.of("Asia/Kolkata"))); // +05:30 cuts days
                out.add(rows(e, meter, c, Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"),
                        Window.MONTH, ZoneOffset.UTC));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "postgres={0}")
    @ValueSource(booleans = {false, true})
    void compactedDaysAndMonthsAnswerEveryRangeExactlyReconcileAndSurviveARestartAndACancel(boolean postgres)
            throws Exception {
        if (postgres) {
            database = Optional.of(TestDatabases.create());
        }
        List<Object> hourly;
        List<Object> afterCancel;
        try (Engine e = Engine.open(config(), clock)) {
            meters(e);
            for (int i = 0; i < 600; i += 30) {
                send(e, i, i + 30);
            }
            e.indexPositions();
            clock.set(Instant.parse("2026-11-20T00:00:00Z")); // before the figures: a time-weighted sum runs to now
            hourly = figures(e);
            assertThat(e.compactUsage(CompactionSettings.OFF)).isZero();
            assertThat(figures(e)).isEqualTo(hourly);
            // 10 days: everything before 2026-11-10 is older; October's days merge into a month, November's into days
            long merged = e.compactUsage(new CompactionSettings(Optional.of(Duration.ofDays(10))));
            assertThat(merged).isGreaterThan(3 * 4 * 90); // 3 customers x 4 mergeable meters x ~100 hours
            assertThat(figures(e)).isEqualTo(hourly);
            assertThat(e.reconcile(T, START, at(600)).differences()).isEmpty();
            assertThat(e.reconcile(T, Instant.parse("2026-10-31T05:00:00Z"), Instant.parse("2026-10-31T06:00:00Z"))
                    .differences()).isEmpty();
            assertThat(e.compactUsage(new CompactionSettings(Optional.of(Duration.ofDays(10))))).isZero();

            e.cancel(T, "s", "e100"); // 2026-10-30T... in the compacted October
            e.cancel(T, "s", "e400"); // in a compacted November day
            afterCancel = figures(e);
            assertThat(rows(e, "n", Optional.of("c1"), START, at(600), Window.NONE, ZoneOffset.UTC))
                    .containsExactly(START + " " + (sumOf(1, 600) - 100 - 400) + " 198");
            assertThat(e.reconcile(T, START, at(600)).differences()).isEmpty();
        }
        try (Engine e = Engine.open(config(), clock)) {
            assertThat(figures(e)).isEqualTo(afterCancel);
            assertThat(e.reconcile(T, START, at(600)).differences()).isEmpty();
        }
        // a rebuild from scratch (no checkpoint) is hourly again and answers the same
        LogArchivalTest.deleteRecursively(dir.resolve("data").resolve("checkpoint"));
        try (Engine e = Engine.open(config(), clock)) {
            assertThat(figures(e)).isEqualTo(afterCancel);
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
