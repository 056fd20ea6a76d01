package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchWorkloadTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:15:30.250Z");
    private static final BenchWorkload.RequestHead HEAD =
            new BenchWorkload.RequestHead("/v1/events", "localhost:8080", "key-1");

    /** The events of every request, in sending order. */
    private static List<JsonNode> events(BenchWorkload w) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        for (byte[] request : w.requests()) {
            String text = new String(request, StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            assertThat(text).startsWith("POST /v1/events HTTP/1.1\r\nHost: localhost:8080\r\n")
                    .contains("Authorization: Bearer key-1\r\n")
                    .contains("Content-Type: application/cloudevents-batch+json\r\n")
                    .contains("Content-Length: " + (request.length - split - 4) + "\r\n");
            Jsons.MAPPER.readTree(text.substring(split + 4)).forEach(all::add);
        }
        return all;
    }

    @Test
    void exactlyTheRequestedDuplicatesReSendEarlierEventsUnchanged() throws IOException {
        BenchWorkload w = BenchWorkload.ingest(10_000, 500, 1_000, 50, 7, "run1", NOW, HEAD);

        List<JsonNode> events = events(w);
        assertThat(events).hasSize(10_000);
        assertThat(w.requests()).hasSize(10);
        assertThat(w.eventsPerBatch()).containsOnly(1_000);
        Map<String, JsonNode> seen = new HashMap<>();
        int duplicates = 0;
        long tokens = 0;
        for (JsonNode e : events) {
            JsonNode earlier = seen.putIfAbsent(e.get("id").asText(), e);
            if (earlier != null) {
                duplicates++;
                assertThat(e).isEqualTo(earlier);
            } else {
                tokens += e.at("/data/tokens").asLong();
            }
        }
        assertThat(duplicates).isEqualTo(500).isEqualTo((int) w.generatedDuplicates());
        assertThat(seen).hasSize(9_500);
        assertThat(w.totalTokens()).isEqualTo(tokens);
    }

    @Test
    void eventsAreSmallValidCloudEventsFromTheLastFiveMinutes() throws IOException {
        BenchWorkload w = BenchWorkload.ingest(3_000, 0, 1_000, 10, 1, "run2", NOW, HEAD);

        Set<String> customers = new HashSet<>();
        Set<String> models = new HashSet<>();
        for (JsonNode e : events(w)) {
            assertThat(e.get("specversion").asText()).isEqualTo("1.0");
            assertThat(e.get("source").asText()).isEqualTo("bench");
            assertThat(e.get("type").asText()).isEqualTo("bench.tokens");
            Instant time = Instant.parse(e.get("time").asText());
            assertThat(time).isBetween(NOW.minusSeconds(300), NOW);
            assertThat(e.at("/data/tokens").asLong()).isBetween(1L, 4_000L);
            customers.add(e.get("subject").asText());
            models.add(e.at("/data/model").asText());
            int size = Jsons.MAPPER.writeValueAsString(e).length();
            assertThat(size).isBetween(120, 200);
        }
        assertThat(customers).hasSize(10).allMatch(c -> c.startsWith("customer-"));
        assertThat(models).containsExactlyInAnyOrder("small", "medium", "large");
    }

    @Test
    void theSameSeedGivesTheSameRequests() {
        BenchWorkload a = BenchWorkload.ingest(2_500, 100, 1_000, 10, 3, "r", NOW, HEAD);
        BenchWorkload b = BenchWorkload.ingest(2_500, 100, 1_000, 10, 3, "r", NOW, HEAD);

        assertThat(a.requests()).hasSize(3);
        assertThat(a.eventsPerBatch()).containsExactly(1_000, 1_000, 500);
        for (int i = 0; i < a.requests().size(); i++) {
            assertThat(a.requests().get(i)).isEqualTo(b.requests().get(i));
        }
    }

    @Test
    void oneCustomersEventsAreSpreadOverThePeriodAndUnique() throws IOException {
        Instant from = Instant.parse("2026-11-01T00:00:00Z");
        BenchWorkload w = BenchWorkload.oneCustomer(5_000, 700, "acme", from, NOW, 9, "q", HEAD);

        List<JsonNode> events = events(w);
        assertThat(events).hasSize(5_000);
        assertThat(events).extracting(e -> e.get("id").asText()).doesNotHaveDuplicates();
        assertThat(events).allMatch(e -> e.get("subject").asText().equals("acme"));
        List<Instant> times = events.stream().map(e -> Instant.parse(e.get("time").asText())).toList();
        assertThat(times).allMatch(t -> !t.isBefore(from) && t.isBefore(NOW));
        assertThat(times).anyMatch(t -> t.isBefore(from.plusSeconds(3 * 86_400)));
        assertThat(times).anyMatch(t -> t.isAfter(NOW.minusSeconds(3 * 86_400)));
        assertThat(w.generatedDuplicates()).isZero();
    }
}
