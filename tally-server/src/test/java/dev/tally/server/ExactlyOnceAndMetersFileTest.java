package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExactlyOnceAndMetersFileTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    @TempDir
    Path dir;

    static String batch(int from, int to) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"race-").append(i)
                    .append("\",\"source\":\"app\",\"type\":\"api.call\",\"subject\":\"acme\",\"time\":\"2026-11-20T11:00:00Z\"}");
        }
        return sb.append("]").toString();
    }

    @Test
    void clientsRacingTheSameEventsOnSeparateConnectionsCountEachOnce() throws Exception {
        try (TestServer t = new TestServer(new MutableClock(NOW), dir)) {
            t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"api.call\",\"aggregation\":\"count\"}");
            int clients = 8;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<JsonNode>> replies = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                replies.add(pool.submit(() -> {
                    go.await();
                    // each client has its own HttpClient, so its own connection
                    return new TestServer(t).events("application/json", batch(0, 500)).json();
                }));
            }
            go.countDown();
            int accepted = 0;
            int duplicates = 0;
            for (Future<JsonNode> f : replies) {
                JsonNode j = f.get(60, TimeUnit.SECONDS);
                accepted += j.get("accepted").asInt();
                duplicates += j.get("duplicates").asInt();
            }
            pool.shutdown();
            assertThat(accepted).isEqualTo(500);
            assertThat(duplicates).isEqualTo(500 * (clients - 1));
            assertThat(t.get("/v1/meters/calls/usage?customer=acme").json().get("rows").get(0).get("value").asText())
                    .isEqualTo("500");
        }
    }

    @Test
    void metersFromAFileAreCreatedAtStartAndVersionedWhenTheFileChanges() throws Exception {
        Path file = dir.resolve("meters.yaml");
        Files.writeString(file, """
                meters:
                  - key: calls
                    event_type: api.call
                    aggregation: count
                  - key: gb_hours
                    event_type: storage.gauge
                    aggregation: time_weighted_sum
                    value_path: gb
                    time_unit: hour
                """);
        MutableClock clock = new MutableClock(NOW);
        Path data = dir.resolve("data");
        try (TestServer t = new TestServer(clock, data, Optional.of(file))) {
            assertThat(t.get("/v1/meters").json().get("meters")).hasSize(2);
            t.events("application/json", "[{\"specversion\":\"1.0\",\"id\":\"g1\",\"source\":\"s\",\"type\":\"storage.gauge\","
                    + "\"subject\":\"acme\",\"time\":\"2026-11-20T08:00:00Z\",\"data\":{\"gb\":10}},"
                    + "{\"specversion\":\"1.0\",\"id\":\"g2\",\"source\":\"s\",\"type\":\"storage.gauge\","
                    + "\"subject\":\"acme\",\"time\":\"2026-11-20T09:30:00Z\",\"data\":{\"gb\":\"20.5\"}}]");
            // 10 GB for 1.5 h + 20.5 GB for 0.5 h (08:00 - 10:00) = 25.25 GB-hours
            JsonNode u = t.get("/v1/meters/gb_hours/usage?customer=acme&from=2026-11-20T08:00:00Z&to=2026-11-20T10:00:00Z").json();
            assertThat(u.get("rows").get(0).get("value").asText()).isEqualTo("25.25");
        }
        Files.writeString(file, """
                meters:
                  - key: calls
                    event_type: api.call
                    aggregation: count
                    filters: {region: [eu]}
                    effective_from: "2026-11-20T12:00:00Z"
                  - key: gb_hours
                    event_type: storage.gauge
                    aggregation: time_weighted_sum
                    value_path: gb
                    time_unit: hour
                """);
        clock.advance(Duration.ofMinutes(1));
        try (TestServer t = new TestServer(clock, data, Optional.of(file))) {
            JsonNode calls = t.get("/v1/meters/calls").json();
            assertThat(calls.get("version").asInt()).isEqualTo(2);
            assertThat(calls.get("versions")).hasSize(2);
            assertThat(t.get("/v1/meters/gb_hours").json().get("version").asInt()).isEqualTo(1);
        }
    }
}
