package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives the server into as many kinds of failure as we can reach from outside and checks every answer:
 * an RFC 9457 problem (application/problem+json with type, title, status, detail), and never any internal
 * text - exception names, stack frames, Java/Jackson/SQLite names, server file paths. A 500 says only an
 * error id; a 503 says only the fixed "retry" sentence and carries Retry-After.
 *
 * <p>Cases that were once answered 500 (deep nesting, crafted cursors) are pinned to 400 via
 * {@link #CLIENT_ERROR_BUT_500_TODAY}.
 */
class ErrorTextNeverLeaksTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final Pattern ERROR_ID_DETAIL = Pattern.compile(
            "an unexpected error occurred; quote error id [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    static final Pattern UNAVAILABLE_DETAIL = Pattern.compile(
            "(the event store is unavailable; nothing in this request was acknowledged, retry it"
                    + "|the database is unavailable; retry the request) \\(error id [0-9a-f-]{36}\\)");
    /** Client errors that once were answered 500: they must be 400 now. */
    static final Set<Integer> CLIENT_ERROR_BUT_500_TODAY = Set.of(400);

    /** Case-insensitive substrings that betray internals. */
    static final List<String> FORBIDDEN = List.of("exception", "at dev.tally", "dev.tally.", "java.", "javax.",
            "jdk.", "sun.", "jackson", "fasterxml", "snakeyaml", "sqlite", "sql", "flyway", "caused by",
            "stack", "throwable", ".java:", "nullpointer", "illegalstate", "illegalargument");
    /** Stack-frame-like or fully qualified class names, e.g. "at a.b.C.m(C.java:12)" or "a.b.SomeError". */
    static final List<Pattern> FORBIDDEN_PATTERNS = List.of(
            Pattern.compile("(?m)^\\s+at\\s"),
            Pattern.compile("\\bat\\s+[\\w$.]+\\([\\w$]*(\\.java:\\d+)?\\)"),
            Pattern.compile("\\.\\.\\.\\s*\\d+\\s+(more|common frames)"),
            Pattern.compile("\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*(Exception|Error)\\b"),
            Pattern.compile("\\b\\w+(Exception|Error)\\b"));

    static final String EVENT_OK = event("ok", "{\"tokens\":1,\"model\":\"big\"}");

    TestServer t;
    final ObjectMapper mapper = Json.newMapper();
    final List<String> failures = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        t = new TestServer(new MutableClock(NOW));
        TestServer.Reply m = t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\","
                + "\"aggregation\":\"sum\",\"value_path\":\"tokens\",\"group_by\":[\"model\"]}");
        assertThat(m.status()).as(m.body()).isEqualTo(201);
        TestServer.Reply e = t.post("/v1/meters", "{\"key\":\"weighted\",\"event_type\":\"llm.weighted\","
                + "\"aggregation\":\"sum\",\"expression\":\"tokens * 2\"}");
        assertThat(e.status()).as(e.body()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    static String event(String id, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"app\",\"type\":\"llm.tokens\","
                + "\"subject\":\"acme\",\"time\":\"2026-11-20T10:00:00Z\",\"data\":" + data + "}";
    }

    // ---- checks

    /** A response as seen on the wire, from the JDK client or a raw socket. */
    record Answer(int status, String contentType, Map<String, String> headers, String body) {
        static Answer of(TestServer.Reply r) {
            Map<String, String> h = new LinkedHashMap<>();
            r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            return new Answer(r.status(), h.getOrDefault("content-type", ""), h, r.body());
        }
    }

    void problem(String label, TestServer.Reply r, Set<Integer> allowed) {
        problem(label, Answer.of(r), allowed);
    }

    void problem(String label, TestServer.Reply r, int status) {
        problem(label, Answer.of(r), Set.of(status));
    }

    /** Records (does not throw) every way this answer falls short, so one run lists all of them. */
    void problem(String label, Answer a, Set<Integer> allowed) {
        String where = label + " -> " + a.status() + " " + a.body();
        if (!allowed.contains(a.status())) {
            failures.add(where + "\n    status should be one of " + allowed);
        }
        noInternals(label, a.body());
        if (!a.contentType().startsWith("application/problem+json")) {
            failures.add(where + "\n    Content-Type is '" + a.contentType() + "', not application/problem+json");
            return;
        }
        JsonNode p;
        try {
            p = mapper.readTree(a.body());
        } catch (IOException e) {
            failures.add(where + "\n    body is not JSON");
            return;
        }
        for (String f : List.of("type", "title", "detail")) {
            if (!p.path(f).isTextual() || p.path(f).asText().isBlank()) {
                failures.add(where + "\n    '" + f + "' is missing or not a non-empty string");
            }
        }
        if (!p.path("type").asText().startsWith(Responses.PROBLEM_BASE)) {
            failures.add(where + "\n    'type' is not under " + Responses.PROBLEM_BASE);
        }
        if (!p.path("status").isIntegralNumber() || p.path("status").asInt() != a.status()) {
            failures.add(where + "\n    'status' does not equal the HTTP status");
        }
        if (p.has("errors")) {
            for (JsonNode e : p.get("errors")) {
                if (!e.path("field").isTextual() || !e.path("message").isTextual()) {
                    failures.add(where + "\n    an 'errors' entry lacks field/message");
                }
            }
        }
        String detail = p.path("detail").asText();
        if (a.status() == 500 && !ERROR_ID_DETAIL.matcher(detail).matches()) {
            failures.add(where + "\n    a 500's detail must only quote an error id");
        }
        if (a.status() == 503) {
            if (!UNAVAILABLE_DETAIL.matcher(detail).matches()) {
                failures.add(where + "\n    a 503's detail must be the fixed retry sentence");
            }
            if (!a.headers().containsKey("retry-after")) {
                failures.add(where + "\n    a 503 must carry Retry-After");
            }
        }
        if (a.status() > 503 || a.status() == 501 || a.status() == 502) {
            failures.add(where + "\n    unexpected 5xx");
        }
    }

    void noInternals(String label, String body) {
        String lower = body.toLowerCase(Locale.ROOT);
        for (String f : FORBIDDEN) {
            if (lower.contains(f)) {
                failures.add(label + " -> " + body + "\n    contains '" + f + "'");
            }
        }
        for (Pattern p : FORBIDDEN_PATTERNS) {
            if (p.matcher(body).find()) {
                failures.add(label + " -> " + body + "\n    looks like internal text: /" + p + "/");
            }
        }
        for (String path : List.of(t.dir.toString(), t.dir.toAbsolutePath().toString(), "/tmp/")) {
            if (body.contains(path)) {
                failures.add(label + " -> " + body + "\n    names a server file path");
            }
        }
    }

    void assertNoFailures() {
        if (!failures.isEmpty()) {
            fail(failures.size() + " response(s) leak internals or are not proper problems:\n"
                    + String.join("\n", failures));
        }
    }

    /** Sends bytes exactly as given (for requests java.net.URI refuses to build) and reads to EOF. */
    Answer raw(String request) {
        try (Socket s = new Socket("localhost", t.server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketException e) {
                // a reset after the server answered without reading the whole body: keep what arrived
                if (got.size() == 0) {
                    throw e;
                }
            }
            String text = got.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String body = split < 0 ? "" : text.substring(split + 4);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c > 0) {
                    headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
                }
            }
            return new Answer(status, headers.getOrDefault("content-type", ""), headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String rawRequest(String method, String target, Optional<String> body, String... extraHeaders) {
        StringBuilder sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + TestServer.KEY + "\r\nConnection: close\r\n");
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        body.ifPresent(b -> sb.append("Content-Type: application/json\r\nContent-Length: ")
                .append(b.getBytes(StandardCharsets.UTF_8).length).append("\r\n"));
        sb.append("\r\n");
        body.ifPresent(sb::append);
        return sb.toString();
    }

    // ---- cases

    @Test
    void malformedAndWronglyTypedBodiesGetProblemsWithoutInternals() {
        problem("events: truncated JSON", t.events("application/json", "{\"id\":"), 400);
        problem("events: not JSON", t.events("application/json", "tokens=5&model=big"), 400);
        problem("events: a JSON string", t.events("application/json", "\"an event\""), 400);
        problem("events: empty body", t.events("application/json", ""), 400);
        problem("events: trailing garbage", t.events("application/json", EVENT_OK + "}"), 400);
        problem("events: array as one cloudevent", t.events("application/cloudevents+json", "[" + EVENT_OK + "]"), 400);
        problem("events: object as a batch", t.events("application/cloudevents-batch+json", EVENT_OK), 400);
        problem("events: unclosed array", t.events("application/json", "[" + EVENT_OK + ","), 400);
        problem("events: unsupported media type", t.events("text/plain", EVENT_OK), 415);
        // nesting beyond the parser's limit (64) and a 5000-digit number trip Jackson's StreamReadConstraints,
        // whose exception has no location: CloudEventReader then NPEs and the server answers 500
        problem("events: array nested 5000 deep", t.events("application/json", "[".repeat(5000) + "]".repeat(5000)),
                CLIENT_ERROR_BUT_500_TODAY);
        problem("events: data nested 5000 deep", t.events("application/json",
                event("deep", "{\"a\":".repeat(5000) + "1" + "}".repeat(5000))), CLIENT_ERROR_BUT_500_TODAY);
        problem("events: 5000-digit number", t.events("application/json",
                event("long", "{\"tokens\":" + "9".repeat(5000) + "}")), CLIENT_ERROR_BUT_500_TODAY);

        problem("meters: truncated JSON", t.post("/v1/meters", "{\"key\":"), 400);
        problem("meters: not JSON", t.post("/v1/meters", "key=tokens"), 400);
        problem("meters: empty body", t.post("/v1/meters", ""), 400);
        problem("meters: an array", t.post("/v1/meters", "[1,2]"), 400);
        problem("meters: nested 5000 deep", t.post("/v1/meters", "{\"a\":".repeat(5000) + "1" + "}".repeat(5000)), 400);
        problem("meters: array nested 5000 deep", t.post("/v1/meters", "[".repeat(5000) + "]".repeat(5000)), 400);
        problem("meters: 5000-digit number", t.post("/v1/meters", "{\"key\":" + "9".repeat(5000) + "}"), 400);
        problem("meters: wrong types", t.post("/v1/meters", "{\"key\":5,\"event_type\":[],\"aggregation\":{},"
                + "\"group_by\":\"model\",\"filters\":[1],\"effective_from\":\"yesterday\",\"time_unit\":7,"
                + "\"expression\":\"tokens * (\",\"value_path\":\"\"}"), 400);
        problem("meters: inconsistent definition", t.post("/v1/meters", "{\"key\":\"both\",\"event_type\":\"x\","
                + "\"aggregation\":\"sum\",\"value_path\":\"a\",\"expression\":\"a\"}"), 400);
        problem("meters: too many dimensions", t.post("/v1/meters", "{\"key\":\"dims\",\"event_type\":\"x\","
                + "\"aggregation\":\"count\",\"group_by\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]}"),
                400);
        problem("meters: huge effective_from", t.post("/v1/meters", "{\"key\":\"far\",\"event_type\":\"x\","
                + "\"aggregation\":\"count\",\"effective_from\":\"+999999999-12-31T23:59:59-18:00\"}"), Set.of(201, 400));
        problem("meters put: malformed", t.put("/v1/meters/tokens", "{\"aggregation\":"), 400);
        problem("meters put: key mismatch", t.put("/v1/meters/tokens", "{\"key\":\"other\",\"event_type\":\"llm.tokens\","
                + "\"aggregation\":\"sum\",\"value_path\":\"tokens\"}"), 400);
        problem("meters put: bad key in path", t.put("/v1/meters/BAD%20KEY", "{\"event_type\":\"x\",\"aggregation\":\"count\"}"),
                400);
        problem("meters put: aggregation change", t.put("/v1/meters/tokens", "{\"event_type\":\"llm.tokens\","
                + "\"aggregation\":\"max\",\"value_path\":\"tokens\"}"), 409);
        problem("meters: exists", t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"x\",\"aggregation\":\"count\"}"),
                409);
        // over 64 KiB: the server refuses before reading and then closes the connection, so use a socket of our own
        String big = "{\"name\":\"" + "x".repeat(70_000) + "\"}";
        problem("meters: 70 KB body", raw(rawRequest("POST", "/v1/meters", Optional.of(big))), Set.of(413));
        assertNoFailures();
    }

    @Test
    void hugeAndWronglyTypedEventValuesAreRejectedPerEventWithoutInternals() {
        String batch = "[" + event("h1", "{\"tokens\":1e999999}") + ","
                + event("h2", "{\"tokens\":\"1e999999999\"}") + ","
                + event("h3", "{\"tokens\":-1e-999999}") + ","
                + event("h4", "{\"tokens\":{\"nested\":true}}") + ","
                + event("h5", "[1,2]") + ","
                + "{\"specversion\":1.0,\"id\":\"h6\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\"},"
                + "{\"specversion\":\"1.0\",\"id\":7,\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\"},"
                + "{\"specversion\":\"1.0\",\"id\":\"h8\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\","
                + "\"time\":\"the day after tomorrow\"},"
                + "\"not an event\"]";
        TestServer.Reply r = t.events("application/cloudevents-batch+json", batch);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        noInternals("batch of bad values", r.body());
        List<String> reasons = new ArrayList<>();
        r.json().get("results").forEach(x -> reasons.add(x.get("status").asText() + ":" + x.path("reason").asText("")));
        assertThat(reasons).containsExactly("rejected:value_not_numeric", "rejected:value_not_numeric",
                "rejected:value_not_numeric", "rejected:value_not_numeric", "rejected:data_not_object",
                "rejected:invalid_attribute", "rejected:invalid_attribute", "rejected:bad_time", "rejected:not_an_object");
        // an expression meter alone sees the same huge value
        TestServer.Reply w = t.events("application/json", event("h9", "{\"tokens\":1e999999}")
                .replace("llm.tokens", "llm.weighted"));
        noInternals("huge value, expression meter", w.body());
        assertThat(w.json().get("results").get(0).path("reason").asText()).as(w.body()).isEqualTo("value_not_numeric");
        // and nothing of it reached usage
        TestServer.Reply u = t.get("/v1/meters/tokens/usage?customer=acme");
        assertThat(u.json().get("rows").get(0).get("value").asText()).isEqualTo("0");
        assertNoFailures();
    }

    @Test
    void badQueryParametersGetProblemsWithoutInternals() {
        t.events("application/json", EVENT_OK);
        problem("cursor: garbage", t.get("/v1/events?cursor=garbage"), 400);
        problem("cursor: customer cursor on the log listing", t.get("/v1/events?cursor=c.1.2"), 400);
        problem("cursor: log cursor on a customer listing", t.get("/v1/events?customer=acme&cursor=l.5"), 400);
        problem("cursor: too many parts", t.get("/v1/events?cursor=l.1.2.3"), 400);
        problem("cursor: overflowing number", t.get("/v1/events?cursor=l.99999999999999999999999"), 400);
        // a well-formed cursor pointing past the log's end or into the middle of a record makes the log
        // throw (LogReadException / LogCorruptedException, logged at ERROR as corruption): 500 today
        problem("cursor: beyond the end of the log", t.get("/v1/events?cursor=l.9223372036854775807"),
                CLIENT_ERROR_BUT_500_TODAY);
        problem("cursor: inside a record", t.get("/v1/events?cursor=l." + ((1L << 40) + 3)), CLIENT_ERROR_BUT_500_TODAY);
        problem("events: from not a timestamp", t.get("/v1/events?from=yesterday"), 400);
        problem("events: to out of range", t.get("/v1/events?customer=acme&to=2026-13-45T00:00:00Z"), 400);
        problem("events: date without time", t.get("/v1/events?from=2026-11-20"), 400);
        problem("events: year 10^10", t.get("/v1/events?from=%2B9999999999-01-01T00:00:00Z"), 400);
        problem("events: limit 0", t.get("/v1/events?limit=0"), 400);
        problem("events: limit too big", t.get("/v1/events?limit=99999999999"), 400);
        problem("events: limit not a number", t.get("/v1/events?limit=ten"), 400);
        problem("usage: from after to", t.get("/v1/meters/tokens/usage?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z"),
                400);
        problem("usage: bad from", t.get("/v1/meters/tokens/usage?from=2026-11-20T25:00:00Z"), 400);
        problem("usage: bad window", t.get("/v1/meters/tokens/usage?window=week"), 400);
        problem("usage: bad tz", t.get("/v1/meters/tokens/usage?tz=Mars/Olympus"), 400);
        problem("usage: bad tz offset", t.get("/v1/meters/tokens/usage?tz=%2B99:00"), 400);
        problem("usage: too many windows", t.get("/v1/meters/tokens/usage?window=hour"
                + "&from=-999999999-01-01T00:00:00Z&to=%2B999999999-12-31T00:00:00Z"), 400);
        problem("usage: unknown group_by", t.get("/v1/meters/tokens/usage?group_by=region"), 400);
        problem("usage: unknown filter", t.get("/v1/meters/tokens/usage?filter[region]=eu"), 400);
        problem("usage: unknown meter", t.get("/v1/meters/nope/usage"), 404);
        problem("reconciliation: from after to", t.get("/v1/reconciliation?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z"),
                400);
        problem("reconciliation: bad to", t.get("/v1/reconciliation?to=soon"), 400);
        assertNoFailures();
    }

    @Test
    void unknownThingsMethodsAndMissingKeysGetProblemsWithoutInternals() {
        problem("unknown meter", t.get("/v1/meters/nope"), 404);
        problem("cancel unknown event", t.post("/v1/events/app/none/cancel", ""), 404);
        problem("cancel with encoded garbage", t.post("/v1/events/%C0%AF%FF/%0A%0D/cancel", ""), 404);
        // a NUL byte in a path is refused by the listener before routing
        problem("cancel with an encoded NUL", t.post("/v1/events/x/%00/cancel", ""), 400);
        problem("cancel with traversal", t.post("/v1/events/..%2F..%2Fetc/passwd/cancel", ""), 404);
        problem("unknown route", t.get("/v1/nothing"), 404);
        problem("unknown top-level route", t.get("/admin"), 404);
        problem("method not allowed", t.send("DELETE", "/v1/meters", null, null, TestServer.KEY), 405);
        problem("method not allowed on a template", t.send("PATCH", "/v1/meters/tokens", "application/json", "{}",
                TestServer.KEY), 405);
        problem("no key", t.send("GET", "/v1/meters", null, null, null), 401);
        problem("not a bearer key", raw("GET /v1/meters HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Basic dXNlcjpwYXNz\r\nConnection: close\r\n\r\n"), Set.of(401));
        problem("wrong key", t.send("GET", "/v1/meters", null, null, "tly_wrong_key_000000000000"), 401);
        problem("very long key", t.send("GET", "/v1/meters", null, null, "k".repeat(20_000)), 401);
        problem("no key on ingest", t.send("POST", "/v1/events", "application/json", EVENT_OK, null), 401);
        assertNoFailures();
    }

    /**
     * Requests refused before any route sees them (a bad escape in the target, a Content-Length that is not a
     * number): a 400 problem+json like every other error, no stack trace, no internals, no file paths.
     */
    @Test
    void requestsRefusedBeforeDispatchAreProblemsWithoutInternals() {
        Map<String, Answer> answers = new LinkedHashMap<>();
        answers.put("percent garbage in the path", raw(rawRequest("POST", "/v1/events/%ZZ/x/cancel", Optional.of(""))));
        answers.put("percent garbage in the query", raw(rawRequest("GET", "/v1/events?customer=%ZZ", Optional.empty())));
        answers.put("truncated escape in the path", raw(rawRequest("GET", "/v1/meters/%E", Optional.empty())));
        answers.put("non-numeric Content-Length", raw(rawRequest("POST", "/v1/meters", Optional.empty(),
                "Content-Type: application/json", "Content-Length: abc")));
        answers.forEach((label, a) -> {
            assertThat(a.status()).as(label + ": " + a.body()).isEqualTo(400);
            String lower = a.body().toLowerCase(Locale.ROOT);
            for (String f : List.of("at dev.tally", "dev.tally.", "java.", "jackson", "sqlite", "sql", "caused by",
                    ".java:", "/tmp/")) {
                assertThat(lower).as(label).doesNotContain(f);
            }
            assertThat(a.body()).as(label).doesNotContainPattern("(?m)^\\s+at\\s");
            assertThat(a.contentType()).as(label).isEqualTo("application/problem+json");
            assertThat(a.body()).as(label).contains("\"type\":\"" + Responses.PROBLEM_BASE + "malformed-");
        });
    }

    @Test
    @Timeout(120)
    void internalFailuresAnswerWithAnErrorIdOrARetryOnly() {
        TestServer.Reply ok = t.events("application/json", EVENT_OK);
        assertThat(ok.json().get("accepted").asInt()).isEqualTo(1);
        t.server.engine().close();

        // writes: the pipeline refuses with StorageUnavailableException -> 503 + Retry-After
        problem("closed: ingest", t.events("application/json", event("c1", "{\"tokens\":1}")), 503);
        problem("closed: ingest batch", t.events("application/cloudevents-batch+json",
                "[" + event("c2", "{\"tokens\":1}") + "," + event("c3", "{\"tokens\":2}") + "]"), 503);
        problem("closed: cancel", t.post("/v1/events/app/ok/cancel", ""), 503);
        problem("closed: create meter", t.post("/v1/meters", "{\"key\":\"m2\",\"event_type\":\"x\",\"aggregation\":\"count\"}"),
                503);
        problem("closed: put meter", t.put("/v1/meters/m3", "{\"event_type\":\"x\",\"aggregation\":\"count\"}"), 503);
        problem("closed: reconciliation", t.get("/v1/reconciliation"), 503);
        // reads that touch the closed log while the store does not answer: 503 + Retry-After
        problem("closed: list events", t.get("/v1/events"), 503);
        problem("closed: list a customer's events", t.get("/v1/events?customer=acme"), 503);
        // a key not yet cached needs the database, which no longer answers: 503 + Retry-After
        problem("closed: uncached key", t.send("GET", "/v1/meters", null, null, "tly_other_key_00000000000000000000"), 503);
        // still-valid client errors stay client errors
        problem("closed: malformed body", t.events("application/json", "{\"id\":"), 400);
        problem("closed: unsupported media type", t.events("text/plain", EVENT_OK), 415);

        TestServer.Reply ready = t.send("GET", "/health/ready", null, null, null);
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.json().get("status").asText()).isEqualTo("not_ready");
        noInternals("closed: readiness", ready.body());
        assertNoFailures();
    }
}
