package dev.tally.engine.anomaly;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.ingest.IngestResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Shared setup of anomaly tests: a counting meter, and batches of events sent as an API key would send them. */
final class AnomalyTraffic {
    static final String T = Engine.DEFAULT_TENANT;
    static final ObjectMapper JSON = Json.newMapper();

    private AnomalyTraffic() {
    }

    /** The meter {@code calls}: a count of events of type {@code call}. */
    static void meter(Engine e) throws Exception {
        e.createMeter(T, JSON.readTree("{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}"));
    }

    /** One event as a CloudEvents JSON object; a null subject makes an event the reader rejects. */
    static String event(String id, String source, String subject, Instant time) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"" + source + "\",\"type\":\"call\""
                + (subject == null ? "" : ",\"subject\":\"" + subject + "\"") + ",\"time\":\"" + time + "\"}";
    }

    /** Sends the events as one batch request of {@code key}. */
    static IngestResult send(Engine e, String key, List<String> events) {
        byte[] body = ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8);
        return e.ingest(T, Optional.of(key), e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
    }

    /** {@code n} events of one customer from one source at the clock's now, with fresh ids. */
    static IngestResult calls(Engine e, ManualClock clock, String key, String source, String customer, int n) {
        List<String> events = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(event(source + "-" + customer + "-" + clock.instant().toEpochMilli() + "-" + i, source,
                    customer, clock.instant()));
        }
        return send(e, key, events);
    }
}
