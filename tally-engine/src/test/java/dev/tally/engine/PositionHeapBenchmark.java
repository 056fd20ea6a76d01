package dev.tally.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.IngestLimits;
import dev.tally.core.event.Json;
import dev.tally.engine.notify.WebhookSettings;
import dev.tally.engine.secrets.SecretsConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Heap held by an engine's usage state per remembered event: ingests N events (1,000 customers, one sum meter,
 * events spread over the last 20 hours) through {@link Engine#ingest} into a log of 16 MiB segments, then prints the
 * heap used after full GCs and the engine's own position estimate. Uses only API the previous commit has, so the
 * same program measures both (run it on each; the difference per event is what the positions cost). A program, not
 * a timed unit test; arguments: events (default 2,000,000).
 */
public final class PositionHeapBenchmark {
    private PositionHeapBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        Path dir = Files.createTempDirectory("tally-heap-");
        ObjectMapper mapper = Json.newMapper();
        Clock clock = Clock.systemUTC();
        IngestLimits limits = IngestLimits.DEFAULTS.withBackdatingWindow(Duration.ofDays(2));
        EngineConfig config = new EngineConfig(dir, limits, Optional.empty(), 16L << 20, Duration.ZERO,
                Optional.empty(), WebhookSettings.MANUAL, SecretsConfig.DEFAULT);
        long baseline;
        try (Engine e = Engine.open(config, clock)) {
            e.createMeter(Engine.DEFAULT_TENANT, mapper.readTree(
                    "{\"key\":\"n\",\"event_type\":\"t\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
            baseline = usedAfterGc();
            Instant start = clock.instant().minus(Duration.ofHours(20));
            long t0 = System.nanoTime();
            int batch = 1000;
            for (int i = 0; i < events; i += batch) {
                StringBuilder sb = new StringBuilder(batch * 160).append('[');
                for (int j = i; j < Math.min(events, i + batch); j++) {
                    sb.append(j == i ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(j)
                            .append("\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"c").append(j % 1000)
                            .append("\",\"time\":\"").append(start.plusMillis(36L * j % 72_000_000L))
                            .append("\",\"data\":{\"n\":").append(j % 17).append("}}");
                }
                byte[] body = sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
                e.ingest(Engine.DEFAULT_TENANT, e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(12_000); // lets a scheduled position indexing pass run (every 10 s, where there is one)
            long used = usedAfterGc();
            System.out.printf("events %,d in %.1f s; heap after GC %,d B above the empty engine (%.1f B/event); "
                    + "engine position estimate %,d B (%.2f B/event); dedup index %,d B%n", events, seconds,
                    used - baseline, (used - baseline) / (double) events, e.positionIndexBytes(),
                    e.positionIndexBytes() / (double) events, e.dedupBytes());
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(300);
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }
}
