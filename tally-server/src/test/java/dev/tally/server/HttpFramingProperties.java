package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random malformed HTTP framing against a server with short deadlines (300 ms for headers and for a
 * body): malformed chunk sizes, chunked bodies cut short, bad and lying Content-Lengths, targets with raw
 * or broken escapes, header lines that are not headers, and requests that stall or trickle. Whatever
 * arrives, the client gets a 4xx problem+json or a closed connection, in bounded time, never a 5xx.
 */
class HttpFramingProperties {
    static final Duration DEADLINE = Duration.ofMillis(300);
    /** Far above the deadlines (plus the header sweep's period), far below "waits for ever". */
    static final Duration BOUND = Duration.ofSeconds(4);
    static TestServer t;

    record Attempt(String label, String head, Duration gap, String[] drip) {
        @Override
        public String toString() {
            return label + ": " + head.replace("\r\n", "\\r\\n") + (drip.length == 0 ? "" : " + " + drip.length
                    + " bytes trickled every " + gap.toMillis() + " ms");
        }
    }

    @BeforeContainer
    static void start() throws IOException {
        t = new TestServer(new MutableClock(Instant.parse("2026-11-20T10:00:00Z")), HttpSettings.DEFAULTS
                .withHeaderTimeout(DEADLINE).withBodyTimeout(DEADLINE).withIdleTimeout(Duration.ofSeconds(2)));
    }

    @AfterContainer
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    @Property(tries = 80)
    void malformedFramingGetsAClientErrorOrACloseInBoundedTime(@ForAll("attempts") Attempt a) {
        RawHttp.Outcome o = RawHttp.exchange(t.server.port(), a.head(), a.gap(), BOUND.multipliedBy(2), a.drip());
        Statistics.label("outcome").collect(o.status() < 0 ? "closed" : o.status() + " " + problemType(o));
        assertThat(o.timedOut()).as("no answer and no close within %s: %s", BOUND.multipliedBy(2), a).isFalse();
        assertThat(o.elapsed()).as(a.toString()).isLessThan(BOUND);
        if (o.status() >= 0) {
            assertThat(o.status()).as("%s -> %s", a, o).isLessThan(500);
            if (o.status() >= 400) {
                assertThat(o.contentType()).as("%s -> %s", a, o).startsWith("application/problem+json");
                assertThat(o.body()).as(a.toString()).contains("\"type\":\"" + Responses.PROBLEM_BASE)
                        .doesNotContain("Exception").doesNotContain("at org.").doesNotContain("at dev.");
            }
        }
    }

    private static String problemType(RawHttp.Outcome o) {
        int i = o.body().indexOf(Responses.PROBLEM_BASE);
        return i < 0 ? "" : o.body().substring(i + Responses.PROBLEM_BASE.length()).replaceAll("\".*", "");
    }

    @Provide
    Arbitrary<Attempt> attempts() {
        return Arbitraries.oneOf(badChunkSizes(), truncatedChunks(), badContentLengths(), lyingContentLengths(),
                badTargets(), badHeaderLines(), stalledHeaders(), trickledHeaders());
    }

    static Arbitrary<String> routes() {
        return Arbitraries.of("/v1/events", "/v1/plans", "/v1/prices/preview", "/v1/customers", "/v1/meters",
                "/v1/subscriptions", "/v1/alerts");
    }

    static String head(String method, String target, String... headers) {
        StringBuilder sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + TestServer.KEY + "\r\nContent-Type: application/json\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    static Attempt at(String label, String head) {
        return new Attempt(label, head, Duration.ZERO, new String[0]);
    }

    Arbitrary<Attempt> badChunkSizes() {
        Arbitrary<String> sizes = Arbitraries.oneOf(
                Arbitraries.strings().withChars("Ff").ofMinLength(17).ofMaxLength(40),
                Arbitraries.strings().withCharRange('G', 'Z').ofMinLength(1).ofMaxLength(6),
                Arbitraries.longs().between(1, Long.MAX_VALUE).map(n -> "-" + n),
                Arbitraries.of("", " ", "0x10", "1 2", "\t", "+5", "1.5", "FFFFFFFFFFFFFFFF", "ZZZ", "-1"));
        return Combinators.combine(routes(), sizes).as((route, size) -> at("chunk size '" + size + "'",
                head("POST", route, "Transfer-Encoding: chunked") + size + "\r\n{}\r\n0\r\n\r\n"));
    }

    Arbitrary<Attempt> truncatedChunks() {
        return Combinators.combine(routes(), Arbitraries.integers().between(3, 4000), Arbitraries.integers().between(0, 2))
                .as((route, size, sent) -> at("chunk of " + size + " cut at " + sent,
                        head("POST", route, "Transfer-Encoding: chunked") + Integer.toHexString(size) + "\r\n"
                                + "{\"a\"".substring(0, sent + 1)));
    }

    Arbitrary<Attempt> badContentLengths() {
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
                Arbitraries.longs().between(1, Long.MAX_VALUE).map(n -> "-" + n),
                Arbitraries.of("1e3", "0x10", "5, 6", "99999999999999999999999", "3 4", "+5"));
        return Combinators.combine(routes(), values).as((route, v) -> at("Content-Length '" + v + "'",
                head("POST", route, "Content-Length: " + v) + "{}"));
    }

    Arbitrary<Attempt> lyingContentLengths() {
        return Combinators.combine(routes(), Arbitraries.integers().between(1, 100_000), Arbitraries.of(true, false))
                .as((route, extra, twice) -> at((twice ? "two Content-Lengths" : "Content-Length " + extra + " over"),
                        twice ? head("POST", route, "Content-Length: 2", "Content-Length: " + (2 + extra)) + "{}"
                                : head("POST", route, "Content-Length: " + (2 + extra)) + "{}"));
    }

    Arbitrary<Attempt> badTargets() {
        Arbitrary<String> junk = Arbitraries.strings().withChars("{}|^`<>\\\"%[]a1Z").ofMinLength(1).ofMaxLength(12);
        return Combinators.combine(Arbitraries.of("/v1/meters/", "/v1/customers/", "/v1/events?customer=", "/",
                        "/v1/invoices/", "/assets/"), junk)
                .as((prefix, j) -> at("target " + prefix + j, head("GET", prefix + j, "Connection: close")));
    }

    Arbitrary<Attempt> badHeaderLines() {
        Arbitrary<String> lines = Arbitraries.oneOf(
                Arbitraries.of("No colon here", " leading: space", "Bad Name: x", "X-A\u0001: ctl", ": empty name",
                        "Transfer-Encoding: chunked\r\nContent-Length: 3", "Content-Length: 3\r\nTransfer-Encoding: chunked"),
                Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(5).map(c -> "X-C: " + c));
        return Combinators.combine(routes(), lines).as((route, line) -> at("header line '" + line + "'",
                head("POST", route, line) + "{}"));
    }

    Arbitrary<Attempt> stalledHeaders() {
        return Combinators.combine(routes(), Arbitraries.integers().between(1, 60)).as((route, cut) -> {
            String full = head("POST", route, "Content-Length: 2");
            return at("headers stalled after " + cut + " bytes", full.substring(0, Math.min(cut, full.length() - 4)));
        });
    }

    Arbitrary<Attempt> trickledHeaders() {
        return Combinators.combine(routes(), Arbitraries.integers().between(60, 150)).as((route, gap) -> {
            String full = head("GET", route);
            return new Attempt("headers trickled", full.substring(0, 1), Duration.ofMillis(gap),
                    full.substring(1).split(""));
        });
    }
}
