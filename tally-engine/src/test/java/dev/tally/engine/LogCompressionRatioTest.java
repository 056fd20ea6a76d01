package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.IngestLimits;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.archive.ArchiveSettings;
import dev.tally.engine.log.DedupSettings;
import dev.tally.engine.notify.WebhookSettings;
import dev.tally.engine.secrets.SecretsConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes per event of the log before and after compression, on the ingest benchmark's events (unique ids of one run,
 * one of 1,000 customers, a time up to five minutes back, 1 to 4,000 tokens of one of three models). The size is
 * {@code -Dtally.ratio.events=N} (20,000 by default, at least 5,000); the figures are printed.
 */
class LogCompressionRatioTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String[] MODELS = {"small", "medium", "large"};

    @TempDir
    Path dir;

    @Test
    void closedSegmentsOfBenchmarkEventsCompressToAtMostFiftyBytesPerEvent() throws Exception {
        int events = Integer.getInteger("tally.ratio.events", 20_000);
        ManualClock clock = new ManualClock(NOW);
        EngineConfig config = new EngineConfig(dir, IngestLimits.DEFAULTS, Optional.empty(), events >= 20_000 ? 1 << 20 : 1 << 18,
                Duration.ZERO,
                Optional.empty(), WebhookSettings.MANUAL, SecretsConfig.DEFAULT, DedupSettings.DEFAULTS,
                ArchiveSettings.DEFAULTS);
        Random random = new Random(42);
        try (Engine e = Engine.open(config, clock)) {
            for (int from = 0; from < events; from += 1000) {
                StringBuilder sb = new StringBuilder("[");
                for (int i = from; i < Math.min(events, from + 1000); i++) {
                    sb.append(i == from ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"run-7f3a-").append(i)
                            .append("\",\"source\":\"bench\",\"type\":\"bench.tokens\",\"subject\":\"customer-")
                            .append(random.nextInt(1000)).append("\",\"time\":\"")
                            .append(NOW.minusMillis(random.nextInt(300_000))).append("\",\"data\":{\"tokens\":")
                            .append(1 + random.nextInt(4000)).append(",\"model\":\"")
                            .append(MODELS[random.nextInt(3)]).append("\"}}");
                }
                byte[] body = sb.append("]").toString().getBytes(StandardCharsets.UTF_8);
                e.ingest(Engine.DEFAULT_TENANT, e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
            }
            double plainPerEvent = (double) e.logBytes() / events;
            assertThat(e.retainLog().orElseThrow().compressed()).isPositive();
            long compressed = 0;
            long active = 0;
            try (Stream<Path> files = Files.list(dir.resolve("log"))) {
                for (Path p : files.toList()) {
                    String name = p.getFileName().toString();
                    if (name.endsWith(".zlog")) {
                        compressed += Files.size(p);
                    } else if (name.endsWith(".log")) {
                        active += Files.size(p);
                    }
                }
            }
            double ratio = (double) compressed / (e.logBytes() - active);
            double compressedPerEvent = plainPerEvent * ratio;
            System.out.printf("log bytes/event over %,d benchmark events: %.1f plain, %.1f compressed%n", events,
                    plainPerEvent, compressedPerEvent);
            assertThat(compressedPerEvent).isLessThanOrEqualTo(50.0);
        }
    }
}
