package dev.tally.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** An engine with a "tokens" meter (sum of data.tokens by data.model) and events over two days of 2026-11. */
final class ExportFixture implements AutoCloseable {
    static final Instant NOW = Instant.parse("2026-11-21T00:00:00Z");
    static final Instant DAY1 = Instant.parse("2026-11-19T00:00:00Z");
    static final Instant DAY2 = Instant.parse("2026-11-20T00:00:00Z");
    static final String T = Engine.DEFAULT_TENANT;
    final ObjectMapper mapper = Json.newMapper();
    final Engine engine;

    ExportFixture(Path dir) throws IOException {
        engine = Engine.open(EngineConfig.of(dir), Clock.fixed(NOW, ZoneOffset.UTC));
        engine.createMeter(T, mapper.readTree("{\"key\":\"tokens\",\"event_type\":\"llm\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\",\"group_by\":[\"model\"]}"));
    }

    /** Events e{from}..e{to-1}: customer c{i%7}, model big/small, tokens i + 0.5, spread over the two days. */
    void send(int from, int to) {
        for (int start = from; start < to; start += 5000) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = start; i < Math.min(to, start + 5000); i++) {
                Instant at = DAY1.plusSeconds((long) i * 37 % (2 * 86_400));
                sb.append(i == start ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                        .append("\",\"source\":\"app\",\"type\":\"llm\",\"subject\":\"c").append(i % 7)
                        .append("\",\"time\":\"").append(at).append("\",\"data\":{\"tokens\":").append(i)
                        .append(".5,\"model\":\"").append(i % 2 == 0 ? "big" : "small").append("\"}}");
            }
            byte[] body = sb.append("]").toString().getBytes(StandardCharsets.UTF_8);
            engine.ingest(T, engine.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
        }
    }

    Exports exports() {
        return new Exports(engine, mapper);
    }

    @Override
    public void close() {
        engine.close();
    }
}
