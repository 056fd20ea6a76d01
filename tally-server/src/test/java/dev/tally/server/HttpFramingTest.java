package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.event.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP framing over raw sockets: malformed chunks and lying Content-Lengths are 400/408 problems at
 * once or at the body deadline, slow headers are cut at the header deadline, targets java.net.URI refuses
 * get problem+json, and a handler that throws even an Error answers 500 with an error id and leaks no
 * descriptor.
 */
class HttpFramingTest {
    static final Duration HEADER = Duration.ofMillis(500);
    static final Duration BODY = Duration.ofMillis(500);
    /** The body deadline of the descriptor test, which waits one out per round. */
    static final Duration SHORT_BODY = Duration.ofMillis(100);
    static final Duration WAIT = Duration.ofSeconds(10);
    TestServer t;

    @BeforeEach
    void start() throws IOException {
        t = new TestServer(new MutableClock(Instant.parse("2026-11-20T10:00:00Z")),
                HttpSettings.DEFAULTS.withHeaderTimeout(HEADER).withBodyTimeout(BODY).withIdleTimeout(Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        t.close();
    }

    static String head(String method, String target, String... headers) {
        StringBuilder sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + TestServer.KEY + "\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    static JsonNode problem(RawHttp.Outcome o, int status, String type) throws IOException {
        assertThat(o.status()).as(o.toString()).isEqualTo(status);
        assertThat(o.contentType()).as(o.toString()).startsWith("application/problem+json");
        JsonNode p = Json.newMapper().readTree(o.body());
        assertThat(p.path("type").asText()).isEqualTo(Responses.PROBLEM_BASE + type);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"FFFFFFFFFFFFFFFF", "ZZZ", "-1", "1x", "7FFFFFFFFFFFFFFFFFFF"})
    void aMalformedChunkSizeIsA400MalformedBodyAtOnce(String size) throws IOException {
        for (String path : List.of("/v1/events", "/v1/plans", "/v1/prices/preview")) {
            RawHttp.Outcome o = RawHttp.exchange(t.server.port(), head("POST", path, "Content-Type: application/json",
                    "Transfer-Encoding: chunked") + size + "\r\n{}\r\n0\r\n\r\n", WAIT);
            problem(o, 400, "malformed-body");
            assertThat(o.elapsed()).as("answered at once, not at a deadline").isLessThan(BODY);
        }
    }

    @Test
    void aChunkedBodyCutShortIsA400OrA408NeverA500() throws IOException {
        RawHttp.Outcome o = RawHttp.exchange(t.server.port(), head("POST", "/v1/events", "Content-Type: application/json",
                "Transfer-Encoding: chunked") + "10\r\n{\"a\":", WAIT);
        problem(o, 408, "request-timeout");
    }

    @Test
    void aContentLengthLargerThanTheBodyIsA408AtTheBodyDeadline() throws IOException {
        for (String path : List.of("/v1/events", "/v1/meters", "/v1/customers")) {
            RawHttp.Outcome o = RawHttp.exchange(t.server.port(), head("POST", path, "Content-Type: application/json",
                    "Content-Length: 100") + "{\"id\":", WAIT);
            JsonNode p = problem(o, 408, "request-timeout");
            assertThat(p.path("detail").asText()).contains("500 ms");
            assertThat(o.headers().get("connection")).isEqualTo("close");
            assertThat(o.elapsed()).isGreaterThanOrEqualTo(BODY).isLessThan(BODY.multipliedBy(8));
        }
    }

    @Test
    void aBodyDrippedSlowerThanTheDeadlineIsCutAtTheDeadline() throws IOException {
        String[] drip = new String[40];
        java.util.Arrays.fill(drip, " ");
        RawHttp.Outcome o = RawHttp.exchange(t.server.port(), head("POST", "/v1/plans", "Content-Type: application/json",
                "Content-Length: 41") + "{", Duration.ofMillis(50), WAIT, drip);
        problem(o, 408, "request-timeout");
        assertThat(o.elapsed()).isLessThan(BODY.multipliedBy(8));
    }

    @Test
    void headersSentAByteAtATimeAreCutAtTheHeaderDeadline() {
        String request = head("GET", "/v1/meters");
        String[] drip = request.substring(1).split("");
        RawHttp.Outcome o = RawHttp.exchange(t.server.port(), request.substring(0, 1), Duration.ofMillis(100), WAIT, drip);
        assertThat(o.closedWithoutAnswer()).as(o.toString()).isTrue();
        assertThat(o.elapsed()).isGreaterThanOrEqualTo(HEADER).isLessThan(HEADER.multipliedBy(8));
    }

    @Test
    void manySlowHeaderConnectionsAreAllClosed() throws Exception {
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<RawHttp.Outcome>> slow = new ArrayList<>();
            String request = head("GET", "/v1/meters");
            String[] drip = request.substring(1).split("");
            for (int i = 0; i < 200; i++) {
                slow.add(pool.submit(() -> RawHttp.exchange(t.server.port(), request.substring(0, 1),
                        Duration.ofMillis(200), WAIT, drip)));
            }
            for (Future<RawHttp.Outcome> f : slow) {
                RawHttp.Outcome o = f.get();
                assertThat(o.closedWithoutAnswer()).as(o.toString()).isTrue();
            }
            // and the server still answers a well-behaved client
            assertThat(t.get("/v1/meters").status()).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsNotCutByTheHeaderDeadline() throws Exception {
        assertThat(t.get("/v1/meters").status()).isEqualTo(200);
        Thread.sleep(HEADER.multipliedBy(3).toMillis());
        assertThat(t.get("/v1/meters").status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/meters/{key}", "/v1/customers/}", "/v1/meters/%ZZ", "/v1/meters/%E", "/v1/events?customer=%ZZ",
            "/v1/events?customer={x}", "/v1/meters/a|b", "/v1/meters/a%", "/{"})
    void aTargetThatIsNotAValidUriGetsAProblem(String target) throws IOException {
        RawHttp.Outcome o = RawHttp.exchange(t.server.port(), head("GET", target, "Connection: close"), WAIT);
        JsonNode p = problem(o, 400, "malformed-request");
        assertThat(p.path("detail").asText()).contains("percent-encoded");
    }

    @Test
    void requestsJettyRefusesWhileParsingGetProblems() throws IOException {
        problem(RawHttp.exchange(t.server.port(), "GARBAGE\r\n\r\n", WAIT), 400, "malformed-request");
        problem(RawHttp.exchange(t.server.port(), head("POST", "/v1/meters", "Content-Length: abc"), WAIT), 400,
                "malformed-request");
        problem(RawHttp.exchange(t.server.port(), head("POST", "/v1/meters", "Content-Length: -5"), WAIT), 400,
                "malformed-request");
        problem(RawHttp.exchange(t.server.port(), head("POST", "/v1/meters", "Content-Length: 5", "Content-Length: 6")
                + "{}", WAIT), 400, "malformed-request");
        problem(RawHttp.exchange(t.server.port(), head("GET", "/v1/meters", "X-Big: " + "a".repeat(70_000)), WAIT), 431,
                "request-too-large");
    }

    @Test
    void anErrorThrownByAHandlerIsA500WithAnErrorIdOnly() throws IOException {
        t.server.route("GET", "/test/out-of-memory", null, r -> {
            throw new OutOfMemoryError("Java heap space in secret.Internal");
        });
        t.server.route("GET", "/test/stack-overflow", null, r -> {
            throw new StackOverflowError("secret frames");
        });
        t.server.route("GET", "/test/no-answer", null, r -> {
        });
        for (String path : List.of("/test/out-of-memory", "/test/stack-overflow", "/test/no-answer")) {
            TestServer.Reply r = t.get(path);
            assertThat(r.status()).as(path).isEqualTo(500);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(r.json().path("type").asText()).isEqualTo(Responses.PROBLEM_BASE + "internal");
            assertThat(r.json().path("detail").asText()).matches("an unexpected error occurred; quote error id [0-9a-f-]{36}");
            assertThat(r.body()).doesNotContain("secret").doesNotContain("Java heap").doesNotContain("Error");
        }
    }

    @Test
    void failedAndAbandonedRequestsLeaveNoDescriptorBehind() throws Exception {
        // 23 rounds each wait out one body deadline: a short one here (the deadlines themselves are tested above)
        t.close();
        t = new TestServer(new MutableClock(Instant.parse("2026-11-20T10:00:00Z")), HttpSettings.DEFAULTS
                .withHeaderTimeout(HEADER).withBodyTimeout(SHORT_BODY).withIdleTimeout(Duration.ofSeconds(5)));
        t.server.route("GET", "/test/out-of-memory", null, r -> {
            throw new OutOfMemoryError("boom");
        });
        // warm up (class loading, pools), then count
        cycle(3);
        long before = settledDescriptors(Long.MAX_VALUE);
        cycle(20);
        long after = settledDescriptors(before + 5);
        assertThat(after).as("descriptors before %d, after 20 rounds of failing requests %d", before, after)
                .isLessThanOrEqualTo(before + 5);
    }

    private void cycle(int rounds) {
        int port = t.server.port();
        for (int i = 0; i < rounds; i++) {
            assertThat(RawHttp.exchange(port, head("GET", "/test/out-of-memory"), WAIT).status()).isEqualTo(500);
            assertThat(RawHttp.exchange(port, head("POST", "/v1/plans", "Transfer-Encoding: chunked") + "ZZZ\r\n\r\n",
                    WAIT).status()).isEqualTo(400);
            assertThat(RawHttp.exchange(port, head("POST", "/v1/plans", "Content-Length: 50") + "{", WAIT).status())
                    .isEqualTo(408);
            assertThat(RawHttp.exchange(port, head("GET", "/v1/meters/{x}"), WAIT).status()).isEqualTo(400);
        }
    }

    /** The descriptor count once it stops falling (closed sockets are reclaimed asynchronously). */
    private static long settledDescriptors(long target) throws InterruptedException {
        long n = RawHttp.openDescriptors();
        for (int i = 0; i < 50 && n > target; i++) {
            Thread.sleep(100);
            n = RawHttp.openDescriptors();
        }
        return n;
    }
}
