package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ErrorTextNeverLeaksTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    TestServer t;
    final ObjectMapper mapper = Json.newMapper();

    @BeforeEach
    void start() throws Exception {
        t = new TestServer(new MutableClock(NOW));
    }

    @AfterEach
    void stop() {
        try {
            t.close();
        } catch (RuntimeException e) {
            System.out.println("CLOSE FAILED: " + e);
        }
    }

    String raw(String request) throws IOException {
        try (Socket s = new Socket("localhost", t.server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    void show(String label, TestServer.Reply r) {
        System.out.println("=== " + label + " -> " + r.status() + " " + r.headers().firstValue("Content-Type").orElse("-")
                + " RA=" + r.headers().firstValue("Retry-After").orElse("-") + "\n" + r.body());
    }

    @Test
    void explore() throws Exception {
        t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\",\"value_path\":\"tokens\",\"group_by\":[\"model\"]}");
        show("events malformed", t.events("application/json", "{\"id\":"));
        show("events deep", t.events("application/json", "[".repeat(5000) + "]".repeat(5000)));
        show("events deep data", t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"d\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\",\"data\":" + "{\"a\":".repeat(5000) + "1" + "}".repeat(5001)));
        show("meters deep", t.post("/v1/meters", "{\"a\":".repeat(5000) + "1" + "}".repeat(5000)));
        show("meters malformed", t.post("/v1/meters", "{\"key\":"));
        show("meters empty", t.post("/v1/meters", ""));
        show("meters types", t.post("/v1/meters", "{\"key\":5,\"event_type\":[],\"aggregation\":{},\"group_by\":\"x\",\"filters\":[1],\"effective_from\":\"yesterday\",\"time_unit\":7}"));
        show("huge num", t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"h\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\",\"time\":\"2026-11-20T10:00:00Z\",\"data\":{\"tokens\":1e999999}}"));
        show("huge num 2", t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"h2\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\",\"time\":\"2026-11-20T10:00:00Z\",\"data\":{\"tokens\":" + "9".repeat(5000) + "}}"));
        show("huge num 3", t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"h3\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\",\"time\":\"2026-11-20T10:00:00Z\",\"data\":{\"tokens\":\"1e999999999\"}}"));
        show("cursor garbage", t.get("/v1/events?cursor=garbage"));
        show("cursor huge", t.get("/v1/events?cursor=l.9223372036854775807"));
        show("cursor neg", t.get("/v1/events?cursor=l.-5"));
        show("cursor c", t.get("/v1/events?customer=acme&cursor=c.99999999999.9223372036854775807"));
        show("cursor c on l", t.get("/v1/events?cursor=c.1.2"));
        show("from bad", t.get("/v1/events?from=yesterday"));
        show("to bad", t.get("/v1/events?customer=acme&to=2026-13-45T00:00:00Z"));
        show("to min", t.get("/v1/events?customer=acme&to=-999999999-01-01T00:00:00%2B18:00"));
        show("limit", t.get("/v1/events?limit=99999999999"));
        show("usage from bad", t.get("/v1/meters/tokens/usage?from=2026-11-20"));
        show("usage order", t.get("/v1/meters/tokens/usage?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z"));
        show("usage window", t.get("/v1/meters/tokens/usage?window=week"));
        show("usage tz", t.get("/v1/meters/tokens/usage?tz=Mars/Olympus"));
        show("usage tz2", t.get("/v1/meters/tokens/usage?tz=%2B99:00"));
        show("usage huge range", t.get("/v1/meters/tokens/usage?window=hour&from=-999999999-01-01T00:00:00Z&to=%2B999999999-12-31T00:00:00Z"));
        show("usage huge range none", t.get("/v1/meters/tokens/usage?from=-999999999-01-01T00:00:00Z&to=%2B999999999-12-31T00:00:00Z"));
        show("usage filter", t.get("/v1/meters/tokens/usage?filter[nope]=x"));
        show("usage unknown", t.get("/v1/meters/nope/usage"));
        show("recon order", t.get("/v1/reconciliation?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z"));
        show("recon min", t.get("/v1/reconciliation?to=-999999999-01-01T00:00:00%2B18:00"));
        show("recon huge", t.get("/v1/reconciliation?from=-999999999-01-01T00:00:00Z&to=%2B999999999-12-31T00:00:00Z"));
        show("recon max", t.get("/v1/reconciliation?from=%2B999999999-12-31T23:59:59Z"));
        show("cancel unknown", t.post("/v1/events/app/none/cancel", ""));
        show("cancel enc", t.post("/v1/events/%C0%AF/%00/cancel", ""));
        show("meter get unknown", t.get("/v1/meters/nope"));
        show("meter put conflict", t.put("/v1/meters/tokens", "{\"event_type\":\"llm.tokens\",\"aggregation\":\"max\",\"value_path\":\"tokens\"}"));
        show("meter put bad key", t.put("/v1/meters/BAD%20KEY", "{\"event_type\":\"llm.tokens\",\"aggregation\":\"count\"}"));
        show("415", t.events("text/plain", "{}"));
        show("405", t.send("DELETE", "/v1/meters", null, null, TestServer.KEY));
        show("404", t.get("/v1/nothing"));
        show("401", t.send("GET", "/v1/meters", null, null, null));
        show("401 wrong", t.send("GET", "/v1/meters", null, null, "nope"));
        System.out.println("=== raw ZZ\n" + raw("POST /v1/events/%ZZ/x/cancel HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + TestServer.KEY + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        System.out.println("=== raw query ZZ\n" + raw("GET /v1/events?customer=%ZZ HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + TestServer.KEY + "\r\nConnection: close\r\n\r\n"));
        System.out.println("=== raw CL\n" + raw("POST /v1/meters HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + TestServer.KEY + "\r\nContent-Length: abc\r\nConnection: close\r\n\r\n"));
        String big = "{\"name\":\"" + "x".repeat(70_000) + "\"}";
        System.out.println("=== raw 413\n" + raw("POST /v1/meters HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + TestServer.KEY + "\r\nContent-Type: application/json\r\nContent-Length: " + big.length() + "\r\n\r\n" + big));
        t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"ok\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\",\"time\":\"2026-11-20T10:00:00Z\",\"data\":{\"tokens\":1}}");
        t.server.engine().close();
        show("closed ingest", t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"c1\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\",\"time\":\"2026-11-20T10:00:00Z\",\"data\":{\"tokens\":1}}"));
        show("closed ingest rejected-only", t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"c2\",\"source\":\"app\"}"));
        show("closed list", t.get("/v1/events"));
        show("closed list cust", t.get("/v1/events?customer=acme"));
        show("closed meters", t.get("/v1/meters"));
        show("closed create", t.post("/v1/meters", "{\"key\":\"m2\",\"event_type\":\"x\",\"aggregation\":\"count\"}"));
        show("closed usage", t.get("/v1/meters/tokens/usage?customer=acme"));
        show("closed cancel", t.post("/v1/events/app/ok/cancel", ""));
        show("closed recon", t.get("/v1/reconciliation"));
        show("closed types", t.get("/v1/event-types"));
        show("closed other key", t.send("GET", "/v1/meters", null, null, "tly_other_key_000000000000000000"));
        show("closed ready", t.send("GET", "/health/ready", null, null, null));
        show("closed metrics", t.send("GET", "/metrics", null, null, null));
    }
}
