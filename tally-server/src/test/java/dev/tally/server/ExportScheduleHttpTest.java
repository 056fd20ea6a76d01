package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ExportScheduleHttpTest {
    @Test
    void aScheduledDayIsWrittenOnceWithAManifestAndTheSecretIsNeverReturned() throws Exception {
        try (TestServer ts = new TestServer(Clock.fixed(Instant.parse("2026-11-21T03:00:00Z"), ZoneOffset.UTC))) {
            ts.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}");
            ts.send("POST", "/v1/events", "application/json", "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"a\","
                    + "\"type\":\"llm\",\"subject\":\"acme\",\"time\":\"2026-11-20T10:00:00Z\",\"data\":{\"tokens\":7}}",
                    TestServer.KEY);

            TestServer.Reply s3 = ts.send("PUT", "/v1/exports/schedule", "application/json", "{\"destination\":{"
                    + "\"type\":\"s3\",\"bucket\":\"tally-exports\",\"region\":\"eu-west-1\",\"endpoint\":"
                    + "\"http://127.0.0.1:9\",\"path_style\":true,\"access_key_id\":\"AK\",\"secret_access_key\":"
                    + "\"s3cr3t-value\"},\"datasets\":[\"events\"]}", TestServer.KEY);
            assertThat(s3.status()).as(s3.body()).isEqualTo(200);
            assertThat(s3.body()).doesNotContain("s3cr3t-value").contains("\"has_secret\":true");
            assertThat(ts.send("GET", "/v1/exports/schedule", null, null, TestServer.KEY).body())
                    .doesNotContain("s3cr3t-value");

            assertThat(ts.send("PUT", "/v1/exports/schedule", "application/json", "{\"destination\":{\"type\":"
                    + "\"directory\",\"path\":\"../../etc\"},\"datasets\":[\"events\"]}", TestServer.KEY).status())
                    .isEqualTo(400);
            TestServer.Reply dir = ts.send("PUT", "/v1/exports/schedule", "application/json", "{\"destination\":{"
                    + "\"type\":\"directory\",\"path\":\"acme\"},\"datasets\":[\"events\",\"usage\"],\"format\":"
                    + "\"jsonl\",\"time_zone\":\"UTC\"}", TestServer.KEY);
            assertThat(dir.status()).as(dir.body()).isEqualTo(200);

            TestServer.Reply run = ts.send("POST", "/v1/exports/schedule/run", null, null, TestServer.KEY);
            assertThat(run.status()).as(run.body()).isEqualTo(200);
            assertThat(run.json().get("objects")).extracting(o -> o.get("key").asText()).containsExactly(
                    "tenant=default/date=2026-11-20/events.jsonl", "tenant=default/date=2026-11-20/usage-tokens.jsonl",
                    "tenant=default/date=2026-11-20/manifest.json");
            Path day = ts.dir.resolve("exports/acme/tenant=default/date=2026-11-20");
            assertThat(Files.readString(day.resolve("events.jsonl"))).contains("\"id\":\"e1\"");
            JsonNode manifest = ts.mapper.readTree(day.resolve("manifest.json").toFile());
            assertThat(manifest.get("objects").get(1).get("rows").asLong()).isEqualTo(1);
            assertThat(ts.send("GET", "/v1/exports/schedule", null, null, TestServer.KEY).json()
                    .get("last_exported_day").asText()).isEqualTo("2026-11-20");
            assertThat(ts.send("POST", "/v1/exports/schedule/run", null, null, TestServer.KEY).json().get("objects"))
                    .isEmpty();
            assertThat(ts.send("DELETE", "/v1/exports/schedule", null, null, TestServer.KEY).status()).isEqualTo(204);
            assertThat(ts.send("GET", "/v1/exports/schedule", null, null, TestServer.KEY).status()).isEqualTo(404);
        }
    }
}
