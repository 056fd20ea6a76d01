package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExportsHttpTest {
    static final Instant NOW = Instant.parse("2026-11-21T00:00:00Z");
    TestServer ts;

    @BeforeEach
    void start() throws Exception {
        ts = new TestServer(Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(ts.send("POST", "/v1/meters", "application/json", "{\"key\":\"tokens\",\"event_type\":\"llm\","
                + "\"aggregation\":\"sum\",\"value_path\":\"tokens\",\"group_by\":[\"model\"]}", TestServer.KEY)
                .status()).isEqualTo(201);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 25; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                    .append("\",\"source\":\"app\",\"type\":\"llm\",\"subject\":\"c").append(i % 4)
                    .append("\",\"time\":\"2026-11-20T0").append(i % 10).append(":00:00Z\",\"data\":{\"tokens\":")
                    .append(i).append(",\"model\":\"m").append(i % 2).append("\"}}");
        }
        assertThat(ts.send("POST", "/v1/events", "application/cloudevents-batch+json", sb.append("]").toString(),
                TestServer.KEY).status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        ts.close();
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void csvPagesChainByTheNextCursorHeaderAndCoverEveryEventOnce() {
        List<String> rows = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            TestServer.Reply r = ts.send("GET", "/v1/exports/events?format=csv&from=2026-11-20T00:00:00Z"
                    + "&to=2026-11-21T00:00:00Z&limit=10" + (pages > 0 ? "&header=false" : "")
                    + cursor.map(c -> "&cursor=" + q(c)).orElse(""), null, null, TestServer.KEY);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8");
            String[] lines = r.body().split("\r\n");
            rows.addAll(List.of(lines));
            assertThat(r.headers().firstValue("Tally-Export-Rows"))
                    .contains(String.valueOf(pages == 0 ? lines.length - 1 : lines.length));
            cursor = r.headers().firstValue("Tally-Next-Cursor");
            pages++;
        } while (cursor.isPresent());
        assertThat(pages).isEqualTo(3);
        assertThat(rows.get(0)).startsWith("tenant,position,source,id,");
        assertThat(rows).hasSize(26);
        assertThat(rows.stream().skip(1).map(l -> l.split(",")[3]).distinct()).hasSize(25);
    }

    @Test
    void usageParquetIsAParquetFileAndUnknownMetersAreNotFound() {
        TestServer.Reply r = ts.send("GET", "/v1/exports/usage?meter=tokens&window=day&format=parquet"
                + "&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z", null, null, TestServer.KEY);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/vnd.apache.parquet");
        assertThat(r.headers().firstValue("Tally-Export-Rows")).contains("4");
        assertThat(r.body()).startsWith("PAR1");
        assertThat(ts.send("GET", "/v1/exports/usage?meter=nope&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z",
                null, null, TestServer.KEY).status()).isEqualTo(404);
    }

    @Test
    void refusesAMissingRangeAnUnknownFormatAndAForgedCursor() {
        assertThat(ts.send("GET", "/v1/exports/events?format=csv", null, null, TestServer.KEY).status())
                .isEqualTo(400);
        assertThat(ts.send("GET", "/v1/exports/events?format=xml&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z",
                null, null, TestServer.KEY).status()).isEqualTo(400);
        TestServer.Reply forged = ts.send("GET", "/v1/exports/events?from=2026-11-20T00:00:00Z"
                + "&to=2026-11-21T00:00:00Z&cursor=l.0.abc", null, null, TestServer.KEY);
        assertThat(forged.status()).isEqualTo(400);
        assertThat(ts.send("GET", "/v1/exports/events?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z", null, null,
                null).status()).isEqualTo(401);
    }

    @Test
    void anotherTenantsKeyExportsNothingOfThisTenant() {
        String other = ts.send("POST", "/v1/tenants", "application/json", "{\"id\":\"other\"}", TestServer.KEY)
                .json().get("admin_key").get("key").asText();
        TestServer.Reply r = ts.send("GET", "/v1/exports/events?format=jsonl&from=2026-11-20T00:00:00Z"
                + "&to=2026-11-21T00:00:00Z", null, null, other);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Tally-Export-Rows")).contains("0");
        assertThat(r.body()).isEmpty();
        assertThat(ts.send("GET", "/v1/exports/usage?meter=tokens&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z",
                null, null, other).status()).isEqualTo(404);
    }
}
