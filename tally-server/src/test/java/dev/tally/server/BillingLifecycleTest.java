package dev.tally.server;

import static dev.tally.server.BillingFixtures.assertInvoice;
import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.credit;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.flat;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.invoiceFor;
import static dev.tally.server.BillingFixtures.invoices;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static dev.tally.server.BillingFixtures.trueUp;
import static dev.tally.server.BillingFixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The life of invoices and subscriptions over HTTP: idempotent concurrent runs and gapless numbers, status
 * transitions, credit notes, the events behind a line, cancellation, trials and the rendered invoice.
 */
class BillingLifecycleTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");

    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\",\"group_by\":[\"model\"]}"));
        created(t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"api.call\",\"aggregation\":\"count\"}"));
    }

    @AfterEach
    void stop() {
        t.close();
    }

    void customer(String id, String zone) {
        created(t.post("/v1/customers", "{\"external_id\":\"" + id + "\",\"timezone\":\"" + zone + "\",\"currency\":\"USD\"}"));
    }

    String subscribe(String customer, String plan, Instant start) {
        return created(t.post("/v1/subscriptions", "{\"customer\":\"" + customer + "\",\"plan\":\"" + plan
                + "\",\"start\":\"" + start + "\"}")).get("id").asText();
    }

    /** Base 30.00 in advance, tokens at 0.01 each. */
    void basicPlan() {
        created(t.post("/v1/plans", "{\"key\":\"basic\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"30.00\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
    }

    void tokens(String id, String customer, String time, int n) {
        ingest(t, List.of(event(id, "llm.tokens", customer, Instant.parse(time), "{\"tokens\":" + n + "}")));
    }

    static void assertStatus(TestServer.Reply r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        if (status >= 400) {
            assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        }
        if (status == 409) {
            assertThat(r.json().get("type").asText()).endsWith("/conflict");
        }
    }

    // ---- idempotency and numbering

    @Test
    void concurrentBillingRunsIssueOneInvoicePerSubscriptionAndBoundaryWithGaplessNumbers() throws Exception {
        moveTo(clock, Instant.parse("2026-11-01T00:00:00Z"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/plans", "{\"key\":\"flat\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"10.00\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"meter\":\"tokens\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        List<String> zones = List.of("UTC", "America/New_York", "Asia/Kolkata", "Europe/Berlin", "Asia/Tokyo",
                "America/Los_Angeles");
        List<String> subs = new ArrayList<>();
        for (int i = 0; i < zones.size(); i++) {
            customer("c" + i, zones.get(i));
            // each starts at local midnight of Oct 1, so its boundaries are local midnights of the 1sts
            Instant start = LocalDate.parse("2026-10-01").atStartOfDay(ZoneId.of(zones.get(i))).toInstant();
            subs.add(subscribe("c" + i, "flat", start));
        }
        TestServer other = new TestServer(t);
        // round 1, Dec 15: start (Oct 1), Nov 1 and Dec 1 are due for each: 3 x 6 = 18
        // round 2, Jan 15: Jan 1: 6; round 3, Mar 15: Feb 1 and Mar 1: 12
        List<Instant> rounds = List.of(Instant.parse("2026-12-15T00:00:00Z"), Instant.parse("2027-01-15T00:00:00Z"),
                Instant.parse("2027-03-15T00:00:00Z"));
        List<Integer> expectedCreated = List.of(18, 6, 12);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds.size(); round++) {
                moveTo(clock, rounds.get(round));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<JsonNode>> results = new ArrayList<>();
                for (TestServer client : List.of(t, other)) {
                    results.add(pool.submit(() -> {
                        go.await();
                        return ok(client.post("/v1/billing/runs", ""));
                    }));
                }
                go.countDown();
                int createdByBoth = 0;
                int finalizedByBoth = 0;
                for (Future<JsonNode> f : results) {
                    JsonNode r = f.get();
                    createdByBoth += r.get("created").asInt();
                    finalizedByBoth += r.get("finalized").asInt();
                }
                assertThat(createdByBoth).as("round " + (round + 1)).isEqualTo(expectedCreated.get(round));
                assertThat(finalizedByBoth).as("grace 0: finalized at once, round " + (round + 1))
                        .isEqualTo(expectedCreated.get(round));
                assertThat(run(t).get("created").asInt()).as("a repeated run finds nothing to do").isZero();
            }
        } finally {
            pool.shutdownNow();
        }

        List<String> numbers = new ArrayList<>();
        Set<String> subscriptionAndBoundary = new HashSet<>();
        for (int i = 0; i < zones.size(); i++) {
            List<JsonNode> list = invoices(t, "c" + i);
            // Oct 1 (start), Nov 1, Dec 1, Jan 1, Feb 1, Mar 1
            assertThat(list).hasSize(6);
            for (JsonNode inv : list) {
                assertThat(inv.get("subscription").asText()).isEqualTo(subs.get(i));
                assertThat(subscriptionAndBoundary.add(inv.get("subscription").asText() + "@" + inv.get("issued_for").asText()))
                        .as("one invoice per subscription and boundary: " + inv).isTrue();
                assertThat(inv.get("status").asText()).isEqualTo("finalized");
                // 10.00 in advance each month, nothing else
                assertThat(inv.get("total").asText()).isEqualTo("10.00");
                numbers.add(inv.get("number").asText());
            }
        }
        List<String> expected = new ArrayList<>();
        for (int n = 1; n <= 36; n++) {
            expected.add(String.format("INV-%06d", n));
        }
        assertThat(numbers).containsExactlyInAnyOrderElementsOf(expected);
    }

    // ---- status transitions

    @Test
    void invoicesMoveFromDraftToFinalizedToPaidOrVoidAndIllegalMovesAre409() {
        created(t.post("/v1/plans", "{\"key\":\"taxed\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"10.00\",\"timing\":\"in_advance\"}]}"));
        customer("acme", "UTC");
        subscribe("acme", "taxed", NOV_1);
        assertThat(run(t).get("created").asInt()).isEqualTo(1);
        JsonNode draft = invoiceFor(t, "acme", NOV_1);
        String id = draft.get("id").asText();
        // 10.00 + 10 % tax 1.00
        assertInvoice(draft, "10.00", "1.00", "11.00", flat("base", "10.00", "Base fee"));
        assertThat(draft.get("status").asText()).isEqualTo("draft");
        assertThat(draft.get("number").isNull()).isTrue();
        // default grace period: one hour
        assertThat(draft.get("finalize_after").asText()).isEqualTo("2026-11-01T01:00:00Z");

        assertStatus(t.post("/v1/invoices/" + id + "/void", ""), 409);
        assertStatus(t.post("/v1/invoices/" + id + "/mark-paid", ""), 409);
        assertStatus(t.post("/v1/credit-notes", "{\"invoice\":\"" + id + "\"}"), 409);

        JsonNode fin = ok(t.post("/v1/invoices/" + id + "/finalize", ""));
        assertThat(fin.get("status").asText()).isEqualTo("finalized");
        assertThat(fin.get("number").asText()).isEqualTo("INV-000001");
        assertThat(fin.get("finalized_at").asText()).isEqualTo(NOV_1.toString());
        assertThat(fin.get("total").asText()).isEqualTo("11.00");
        assertStatus(t.post("/v1/invoices/" + id + "/finalize", ""), 409);

        clock.advance(java.time.Duration.ofDays(3));
        JsonNode paid = ok(t.post("/v1/invoices/" + id + "/mark-paid", ""));
        assertThat(paid.get("status").asText()).isEqualTo("paid");
        assertThat(paid.get("paid_at").asText()).isEqualTo("2026-11-04T00:00:00Z");
        assertThat(paid.get("number").asText()).isEqualTo("INV-000001");
        assertStatus(t.post("/v1/invoices/" + id + "/void", ""), 409);
        assertStatus(t.post("/v1/invoices/" + id + "/mark-paid", ""), 409);
        assertStatus(t.post("/v1/invoices/" + id + "/finalize", ""), 409);
        // the grace period's end does not touch it
        moveTo(clock, Instant.parse("2026-11-05T00:00:00Z"));
        run(t);
        assertThat(ok(t.get("/v1/invoices/" + id)).get("status").asText()).isEqualTo("paid");

        // December's invoice: finalized, then voided
        moveTo(clock, DEC_1.plusSeconds(1));
        assertThat(run(t).get("created").asInt()).isEqualTo(1);
        String dec = invoiceFor(t, "acme", DEC_1).get("id").asText();
        JsonNode decFin = ok(t.post("/v1/invoices/" + dec + "/finalize", ""));
        assertThat(decFin.get("number").asText()).isEqualTo("INV-000002");
        JsonNode voided = ok(t.post("/v1/invoices/" + dec + "/void", ""));
        assertThat(voided.get("status").asText()).isEqualTo("void");
        assertThat(voided.get("voided_at").asText()).isEqualTo("2026-12-01T00:00:01Z");
        assertThat(voided.get("number").asText()).as("a void invoice keeps its number").isEqualTo("INV-000002");
        assertStatus(t.post("/v1/invoices/" + dec + "/mark-paid", ""), 409);
        assertStatus(t.post("/v1/invoices/" + dec + "/void", ""), 409);
        assertStatus(t.post("/v1/invoices/" + dec + "/finalize", ""), 409);
        assertStatus(t.post("/v1/credit-notes", "{\"invoice\":\"" + dec + "\"}"), 409);

        assertStatus(t.post("/v1/invoices/inv_nope/finalize", ""), 404);
        assertStatus(t.post("/v1/invoices/inv_nope/void", ""), 404);
        assertThat(ok(t.get("/v1/invoices?status=void")).get("invoices")).hasSize(1);
        assertThat(ok(t.get("/v1/invoices?status=paid")).get("invoices")).hasSize(1);
        assertStatus(t.get("/v1/invoices?status=bogus"), 400);
    }

    @Test
    void finalizingADraftTakesUsageThatArrivedAfterItWasMade() {
        basicPlan();
        customer("acme", "UTC");
        subscribe("acme", "basic", NOV_1);
        moveTo(clock, Instant.parse("2026-11-20T00:00:00Z"));
        tokens("t1", "acme", "2026-11-10T00:00:00Z", 500);
        moveTo(clock, DEC_1.plusSeconds(60));
        assertThat(run(t).get("created").asInt()).isEqualTo(2);
        // 23:59 Nov 30, arriving after the draft was made
        tokens("t2", "acme", "2026-11-30T23:59:00Z", 100);
        String id = invoiceFor(t, "acme", DEC_1).get("id").asText();
        JsonNode fin = ok(t.post("/v1/invoices/" + id + "/finalize", ""));
        assertInvoice(fin, "36.00", "0.00", "36.00",
                // (500 + 100) x 0.01 = 6.00
                usage("tokens", "600", "6.00", "Tokens: Usage"),
                // December's base fee in advance
                flat("base", "30.00", "Base fee"));
    }

    // ---- credit notes

    /** Base 40.00 in arrears, tokens 0.01, tax 10 %; a finalized November invoice of 57.57. */
    void creditableInvoice(String customer) {
        if (t.get("/v1/plans/cn").status() == 404) {
            created(t.post("/v1/plans", "{\"key\":\"cn\",\"currency\":\"USD\",\"interval\":\"monthly\","
                    + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":["
                    + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"40.00\",\"timing\":\"in_arrears\"},"
                    + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                    + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        }
        customer(customer, "UTC");
        subscribe(customer, "cn", NOV_1);
        moveTo(clock, Instant.parse("2026-11-20T00:00:00Z"));
        tokens(customer + "-t1", customer, "2026-11-10T00:00:00Z", 1234);
    }

    JsonNode finalizeNovember(String customer) {
        moveTo(clock, DEC_1.plusSeconds(1));
        run(t);
        String id = invoiceFor(t, customer, DEC_1).get("id").asText();
        JsonNode fin = ok(t.post("/v1/invoices/" + id + "/finalize", ""));
        // 40.00 + 1234 x 0.01 = 12.34 -> 52.34; tax 10 %: 5.234 -> 5.23; total 57.57
        assertInvoice(fin, "52.34", "5.23", "57.57",
                flat("base", "40.00", "Base fee"),
                usage("tokens", "1234", "12.34", "Tokens: Usage"));
        return fin;
    }

    TestServer.Reply creditNote(String invoice, String linesJson) {
        return t.post("/v1/credit-notes", "{\"invoice\":\"" + invoice + "\",\"reason\":\"test\""
                + (linesJson == null ? "" : ",\"lines\":" + linesJson) + "}");
    }

    @Test
    void creditNotesCreditSingleLinesPartlyOrWhollyButNeverMoreThanIsLeft() {
        creditableInvoice("acme");
        JsonNode inv = finalizeNovember("acme");
        String id = inv.get("id").asText();
        String tokensLine = inv.get("lines").get(1).get("id").asText();

        JsonNode cn1 = created(creditNote(id, "[{\"line_id\":\"" + tokensLine + "\",\"amount\":\"2.34\"}]"));
        assertThat(cn1.get("number").asText()).isEqualTo("CN-000001");
        assertThat(cn1.get("invoice").asText()).isEqualTo(id);
        // 2.34 of the line plus its tax: 10 % of 2.34 = 0.234 -> 0.23
        assertThat(cn1.get("total").asText()).isEqualTo("2.57");
        assertThat(cn1.get("subtotal").asText()).isEqualTo("2.34");
        assertThat(cn1.get("currency").asText()).isEqualTo("USD");
        assertThat(cn1.get("lines")).hasSize(1);
        assertThat(cn1.get("lines").get(0).get("amount").asText()).isEqualTo("2.34");

        // 12.34 - 2.34 = 10.00 left on the line
        var tooMuch = creditNote(id, "[{\"line_id\":\"" + tokensLine + "\",\"amount\":\"10.01\"}]");
        assertStatus(tooMuch, 400);
        assertThat(tooMuch.json().get("detail").asText()).contains("10.00");
        assertStatus(creditNote(id, "[{\"line_id\":\"" + tokensLine + "\",\"amount\":\"0.001\"}]"), 400);
        assertStatus(creditNote(id, "[{\"line_id\":\"" + tokensLine + "\",\"amount\":\"0\"}]"), 400);
        assertStatus(creditNote(id, "[{\"line_id\":\"" + tokensLine + "\",\"amount\":\"-1.00\"}]"), 400);
        assertStatus(creditNote(id, "[{\"line_id\":\"" + tokensLine + "\",\"amount\":\"abc\"}]"), 400);
        assertStatus(creditNote(id, "[{\"line_id\":\"L99\",\"amount\":\"1.00\"}]"), 400);
        assertStatus(t.post("/v1/credit-notes", "{\"invoice\":\"inv_nope\"}"), 404);

        // the rest of the line, without an amount
        JsonNode cn2 = created(creditNote(id, "[{\"line_id\":\"" + tokensLine + "\"}]"));
        assertThat(cn2.get("number").asText()).isEqualTo("CN-000002");
        // 10.00 + 10 % tax 1.00
        assertThat(cn2.get("total").asText()).isEqualTo("11.00");
        assertStatus(creditNote(id, "[{\"line_id\":\"" + tokensLine + "\",\"amount\":\"0.01\"}]"), 400);

        JsonNode after = ok(t.get("/v1/invoices/" + id));
        assertThat(after.get("credit_notes")).hasSize(2);
        assertThat(after.get("status").asText()).isEqualTo("finalized");
        assertThat(after.get("total").asText()).as("a credit note never edits the invoice").isEqualTo("57.57");
    }

    @Test
    void aCreditNoteWithoutLinesCreditsEveryPositiveLineInFull() {
        creditableInvoice("acme");
        JsonNode inv = finalizeNovember("acme");
        JsonNode cn = created(creditNote(inv.get("id").asText(), null));
        // 40.00 + 12.34 = 52.34, plus the invoice's whole tax 5.23
        assertThat(cn.get("total").asText()).isEqualTo("57.57");
        assertThat(cn.get("lines")).hasSize(2);
        assertThat(cn.get("lines").get(0).get("amount").asText()).isEqualTo("40.00");
        assertThat(cn.get("lines").get(1).get("amount").asText()).isEqualTo("12.34");
    }

    @Test
    void aCreditNoteWithoutLinesCreditsWhatIsLeftAndThenNothingIsLeft() {
        creditableInvoice("acme");
        JsonNode inv = finalizeNovember("acme");
        String id = inv.get("id").asText();
        String tokensLine = inv.get("lines").get(1).get("id").asText();
        created(creditNote(id, "[{\"line_id\":\"" + tokensLine + "\"}]"));
        // the tokens line is fully credited: only the base fee, 40.00, is left, plus the rest of the tax:
        // the invoice's tax 5.23 minus the 1.23 (10 % of 12.34, rounded) credited with the tokens line = 4.00
        JsonNode rest = created(creditNote(id, null));
        assertThat(rest.get("total").asText()).isEqualTo("44.00");
        assertStatus(creditNote(id, null), 409);
    }

    @Test
    void aFullCreditNoteCreditsTheTaxOfTheLinesItCredits() {
        creditableInvoice("acme");
        JsonNode inv = finalizeNovember("acme");
        JsonNode cn = created(creditNote(inv.get("id").asText(), null));
        // 52.34 + tax 10 % 5.23 = the invoice's 57.57
        assertThat(cn.get("total").asText()).isEqualTo("57.57");
    }

    // ---- the events behind a line

    @Test
    void lineEventsListExactlyTheEventsBehindAUsageLine() {
        created(t.post("/v1/plans", "{\"key\":\"ev\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"5.00\",\"timing\":\"in_arrears\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}},"
                + "{\"key\":\"big\",\"type\":\"usage\",\"name\":\"Big tokens\",\"meter\":\"tokens\",\"filters\":{\"model\":[\"big\"]},"
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.02\"}},"
                + "{\"key\":\"calls\",\"type\":\"usage\",\"name\":\"Calls\",\"meter\":\"calls\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.5\"}}]}"));
        customer("a", "UTC");
        customer("b", "UTC");
        subscribe("a", "ev", NOV_1);
        subscribe("b", "ev", NOV_1);
        moveTo(clock, DEC_1);
        ingest(t, List.of(
                event("a0", "llm.tokens", "a", Instant.parse("2026-10-31T23:00:00Z"), "{\"tokens\":1,\"model\":\"big\"}"),
                event("a1", "llm.tokens", "a", Instant.parse("2026-11-02T00:00:00Z"), "{\"tokens\":10,\"model\":\"big\"}"),
                event("a2", "llm.tokens", "a", Instant.parse("2026-11-03T00:00:00Z"), "{\"tokens\":20,\"model\":\"small\"}"),
                event("a3", "llm.tokens", "a", Instant.parse("2026-11-04T00:00:00Z"), "{\"tokens\":30,\"model\":\"small\"}"),
                event("a4", "llm.tokens", "a", Instant.parse("2026-12-01T00:00:00Z"), "{\"tokens\":40,\"model\":\"big\"}"),
                event("a-call", "api.call", "a", Instant.parse("2026-11-05T00:00:00Z"), "{}"),
                event("b1", "llm.tokens", "b", Instant.parse("2026-11-02T00:00:00Z"), "{\"tokens\":100,\"model\":\"big\"}")));
        assertThat(ok(t.post("/v1/events/test/a2/cancel", "")).get("status").asText()).isEqualTo("cancelled");
        moveTo(clock, DEC_1.plusSeconds(1));
        run(t);

        JsonNode a = invoiceFor(t, "a", DEC_1);
        // 5.00 + 0.40 + 0.20 + 0.50
        assertInvoice(a, "6.10", "0.00", "6.10",
                flat("base", "5.00", null),
                // a1 + a3 = 10 + 30 (a2 cancelled, a0 before the start, a4 in December) = 40 x 0.01 = 0.40
                usage("tokens", "40", "0.40", "Tokens: Usage"),
                // big only: a1 = 10 x 0.02 = 0.20
                usage("big", "10", "0.20", "Big tokens: Usage"),
                // 1 x 0.5
                usage("calls", "1", "0.50", "Calls: Usage"));
        String aId = a.get("id").asText();
        JsonNode lines = a.get("lines");
        assertThat(lineEvents(aId, lines.get(1).get("id").asText(), "")).containsExactly("a1", "a3");
        assertThat(lines.get(1).get("events").asLong()).isEqualTo(2);
        assertThat(lineEvents(aId, lines.get(2).get("id").asText(), "")).containsExactly("a1");
        assertThat(lineEvents(aId, lines.get(3).get("id").asText(), "")).containsExactly("a-call");
        assertThat(lineEvents(aId, lines.get(0).get("id").asText(), "")).as("a flat fee has no events").isEmpty();

        // paging, one at a time
        JsonNode page1 = ok(t.get("/v1/invoices/" + aId + "/lines/" + lines.get(1).get("id").asText() + "/events?limit=1"));
        assertThat(page1.get("events")).hasSize(1);
        assertThat(page1.get("events").get(0).get("id").asText()).isEqualTo("a1");
        assertThat(page1.get("events").get(0).get("cancelled").asBoolean()).isFalse();
        JsonNode page2 = ok(t.get("/v1/invoices/" + aId + "/lines/" + lines.get(1).get("id").asText()
                + "/events?limit=1&after=" + page1.get("next_after").asLong()));
        assertThat(page2.get("events").get(0).get("id").asText()).isEqualTo("a3");
        assertThat(page2.get("next_after").isNull()).isTrue();

        JsonNode b = invoiceFor(t, "b", DEC_1);
        assertThat(lineEvents(b.get("id").asText(), b.get("lines").get(1).get("id").asText(), "")).containsExactly("b1");
        assertStatus(t.get("/v1/invoices/" + aId + "/lines/L99/events"), 404);
        assertStatus(t.get("/v1/invoices/inv_nope/lines/L1/events"), 404);
    }

    List<String> lineEvents(String invoice, String line, String query) {
        JsonNode r = ok(t.get("/v1/invoices/" + invoice + "/lines/" + line + "/events?limit=1000" + query));
        List<String> ids = new ArrayList<>();
        r.get("events").forEach(e -> {
            assertThat(e.get("cancelled").asBoolean()).isFalse();
            ids.add(e.get("id").asText());
        });
        return ids;
    }

    // ---- cancellation

    @Test
    void cancellingAtPeriodEndBillsTheLastPeriodWithoutTheNextFeeAndThenNothing() {
        basicPlan();
        customer("acme", "UTC");
        String sub = subscribe("acme", "basic", NOV_1);
        assertThat(run(t).get("created").asInt()).isEqualTo(1);
        moveTo(clock, Instant.parse("2026-11-10T00:00:00Z"));
        tokens("t1", "acme", "2026-11-05T00:00:00Z", 500);
        JsonNode cancelled = ok(t.post("/v1/subscriptions/" + sub + "/cancel", "{\"at_period_end\":true}"));
        assertThat(cancelled.get("end").asText()).isEqualTo(DEC_1.toString());
        assertThat(cancelled.get("status").asText()).isEqualTo("canceling");
        assertThat(cancelled.get("next_invoice_at").asText()).isEqualTo(DEC_1.toString());
        assertStatus(t.post("/v1/subscriptions/" + sub + "/cancel", "{\"at_period_end\":true}"), 409);

        moveTo(clock, DEC_1.plusSeconds(1));
        assertThat(run(t).get("created").asInt()).isEqualTo(1);
        // 500 x 0.01 = 5.00; no base fee for December, which it does not reach
        assertInvoice(invoiceFor(t, "acme", DEC_1), "5.00", "0.00", "5.00",
                usage("tokens", "500", "5.00", "Tokens: Usage"));
        JsonNode ended = ok(t.get("/v1/subscriptions/" + sub));
        assertThat(ended.get("status").asText()).isEqualTo("ended");
        assertThat(ended.get("next_invoice_at").isNull()).isTrue();

        moveTo(clock, Instant.parse("2027-01-02T00:00:00Z"));
        tokens("t2", "acme", "2026-12-05T00:00:00Z", 100);
        assertThat(run(t).get("created").asInt()).isZero();
        assertThat(invoices(t, "acme")).hasSize(2);
    }

    @Test
    void cancellingImmediatelyCreditsTheUnusedDaysOfInAdvanceFeesAndStopsUsage() {
        basicPlan();
        customer("acme", "UTC");
        String sub = subscribe("acme", "basic", NOV_1);
        run(t);
        // Base fee 30.00 for November, in advance
        assertInvoice(invoiceFor(t, "acme", NOV_1), "30.00", "0.00", "30.00", flat("base", "30.00", "Base fee"));
        moveTo(clock, Instant.parse("2026-11-21T12:00:00Z"));
        tokens("t1", "acme", "2026-11-05T00:00:00Z", 500);
        assertStatus(t.post("/v1/subscriptions/" + sub + "/cancel", "{\"at\":\"2026-10-15T00:00:00Z\"}"), 400);
        JsonNode cancelled = ok(t.post("/v1/subscriptions/" + sub + "/cancel", "{}"));
        assertThat(cancelled.get("end").asText()).isEqualTo("2026-11-21T12:00:00Z");
        assertThat(cancelled.get("status").asText()).isEqualTo("ended");
        assertThat(cancelled.get("next_invoice_at").asText()).isEqualTo("2026-11-21T12:00:00Z");

        // usage after the end is not billed
        moveTo(clock, Instant.parse("2026-11-25T12:00:00Z"));
        tokens("t2", "acme", "2026-11-25T00:00:00Z", 100);
        tokens("t3", "acme", "2026-11-21T12:00:00Z", 7);
        assertThat(run(t).get("created").asInt()).isEqualTo(1);
        JsonNode last = invoiceFor(t, "acme", Instant.parse("2026-11-21T12:00:00Z"));
        assertInvoice(last,
                // 5.00 - 10.00
                "-5.00", "0.00", "-5.00",
                // 500 x 0.01 = 5.00 (t2 and t3 are at or after the end)
                usage("tokens", "500", "5.00", "Tokens: Usage"),
                // Nov 21..30 unused, 10 of 30 days: -30.00 x 10/30 = -10.00
                credit("base", "-10.00", "Unused Base fee (10 of 30 days, Nov 21 – Nov 30)"));
        assertThat(last.get("lines").get(0).get("period_end").asText()).isEqualTo("2026-11-21T12:00:00Z");

        moveTo(clock, DEC_1.plusSeconds(1));
        assertThat(run(t).get("created").asInt()).isZero();
        assertThat(invoices(t, "acme")).hasSize(2);
    }

    // ---- corrections and plan changes

    @Test
    void cancellingAnEventOfAFinalizedPeriodBecomesANegativeAdjustmentOnTheNextInvoice() {
        basicPlan();
        customer("acme", "UTC");
        subscribe("acme", "basic", NOV_1);
        moveTo(clock, Instant.parse("2026-11-20T00:00:00Z"));
        tokens("t1", "acme", "2026-11-10T00:00:00Z", 500);
        tokens("t2", "acme", "2026-11-11T00:00:00Z", 123);
        moveTo(clock, DEC_1.plusSeconds(1));
        run(t);
        String nov = invoiceFor(t, "acme", DEC_1).get("id").asText();
        ok(t.post("/v1/invoices/" + nov + "/finalize", ""));
        // 623 x 0.01 = 6.23 + December's base 30.00
        assertThat(ok(t.get("/v1/invoices/" + nov)).get("total").asText()).isEqualTo("36.23");

        moveTo(clock, Instant.parse("2026-12-10T00:00:00Z"));
        assertThat(ok(t.post("/v1/events/test/t2/cancel", "")).get("status").asText()).isEqualTo("cancelled");
        moveTo(clock, Instant.parse("2027-01-01T00:00:01Z"));
        run(t);
        JsonNode dec = invoiceFor(t, "acme", Instant.parse("2027-01-01T00:00:00Z"));
        assertInvoice(dec, "28.77", "0.00", "28.77",
                // no tokens in December
                usage("tokens", "0", "0.00", "Tokens: Usage"),
                // January's base fee
                flat("base", "30.00", "Base fee"),
                // November re-rated without t2: 500 x 0.01 = 5.00, billed 6.23: -1.23
                new BillingFixtures.Line("adjustment", "tokens", "1", "-1.23", "(quantity -123)"));
        assertThat(ok(t.get("/v1/invoices/" + nov)).get("total").asText()).as("finalized stays as it was")
                .isEqualTo("36.23");
    }

    @Test
    void planChangesAreRefusedAcrossCurrenciesAndIntoInvoicedPeriods() {
        basicPlan();
        created(t.post("/v1/plans", "{\"key\":\"eur\",\"currency\":\"EUR\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"30.00\",\"timing\":\"in_advance\"}]}"));
        created(t.post("/v1/plans", "{\"key\":\"yearly\",\"currency\":\"USD\",\"interval\":\"yearly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"300.00\",\"timing\":\"in_advance\"}]}"));
        customer("acme", "UTC");
        assertStatus(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"eur\"}"), 400);
        String sub = subscribe("acme", "basic", NOV_1);
        moveTo(clock, DEC_1.plusSeconds(1));
        run(t);
        assertStatus(t.post("/v1/subscriptions/" + sub + "/change", "{\"plan\":\"eur\"}"), 409);
        assertStatus(t.post("/v1/subscriptions/" + sub + "/change", "{\"plan\":\"yearly\"}"), 409);
        assertStatus(t.post("/v1/subscriptions/" + sub + "/change", "{\"plan\":\"nope\"}"), 400);
        // November is invoiced: a change cannot reach back into it
        assertStatus(t.post("/v1/subscriptions/" + sub + "/change",
                "{\"plan\":\"basic\",\"at\":\"2026-11-20T00:00:00Z\"}"), 400);
        assertStatus(t.post("/v1/subscriptions/sub_nope/change", "{\"plan\":\"basic\"}"), 404);
    }

    @Test
    void aPlanChangeAtTheLastInvoicedBoundaryBillsTheNewPlansInAdvanceFeeForThatPeriod() {
        basicPlan();
        created(t.post("/v1/plans", "{\"key\":\"premium\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"90.00\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        customer("acme", "UTC");
        String sub = subscribe("acme", "basic", NOV_1);
        moveTo(clock, DEC_1.plusSeconds(1));
        run(t);
        // the November invoice billed December's base fee under basic: 30.00
        assertInvoice(invoiceFor(t, "acme", DEC_1), "30.00", "0.00", "30.00",
                usage("tokens", "0", "0.00", null),
                flat("base", "30.00", "Base fee"));
        var change = t.post("/v1/subscriptions/" + sub + "/change", "{\"plan\":\"premium\",\"at\":\"" + DEC_1 + "\"}");
        if (change.status() == 400) {
            return; // refusing the change is an acceptable fix too
        }
        assertThat(change.status()).as(change.body()).isEqualTo(200);
        moveTo(clock, Instant.parse("2027-01-01T00:00:01Z"));
        run(t);
        JsonNode dec = invoiceFor(t, "acme", Instant.parse("2027-01-01T00:00:00Z"));
        // December under premium: what was billed for it in advance (30.00) is credited and 90.00 charged, or the
        // difference 60.00 billed; January's 90.00 in advance. Either way December + January cost 90.00 + 90.00.
        BigDecimal decemberFees = BigDecimal.ZERO;
        for (JsonNode l : dec.get("lines")) {
            if (l.get("charge").asText().equals("base") && l.get("period_start").asText().startsWith("2026-12")) {
                decemberFees = decemberFees.add(new BigDecimal(l.get("amount").asText()));
            }
        }
        // 30.00 already billed + what this invoice adds for December = 90.00
        assertThat(decemberFees.add(new BigDecimal("30.00"))).as(dec.toString()).isEqualByComparingTo("90.00");
    }

    @Test
    void theGracePeriodSettingIsValidated() {
        assertThat(ok(t.get("/v1/billing/settings")).get("grace_period_seconds").asLong()).isEqualTo(3600);
        assertStatus(t.put("/v1/billing/settings", "{\"grace_period_seconds\":-1}"), 400);
        assertStatus(t.put("/v1/billing/settings", "{\"grace_period_seconds\":2592001}"), 400);
        assertStatus(t.put("/v1/billing/settings", "{\"grace_period_seconds\":\"soon\"}"), 400);
        assertStatus(t.put("/v1/billing/settings", "{}"), 400);
        assertThat(ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":2592000}")).get("grace_period_seconds")
                .asLong()).isEqualTo(2592000);
    }

    // ---- trials

    @Test
    void aTrialChargesNothingForTheTrialDaysAndProratesTheRest() {
        created(t.post("/v1/plans", "{\"key\":\"trial\",\"currency\":\"USD\",\"interval\":\"monthly\",\"trial_days\":14,"
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"30.00\",\"timing\":\"in_arrears\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"},\"minimum_amount\":\"10\"}]}"));
        customer("acme", "UTC");
        JsonNode sub = created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"trial\",\"start\":\"" + NOV_1 + "\"}"));
        assertThat(sub.get("trial_end").asText()).isEqualTo("2026-11-15T00:00:00Z");
        assertThat(sub.get("status").asText()).isEqualTo("trialing");
        assertThat(sub.get("next_invoice_at").asText()).as("nothing in advance: the first invoice closes November")
                .isEqualTo(DEC_1.toString());
        assertThat(run(t).get("created").asInt()).isZero();

        moveTo(clock, Instant.parse("2026-11-10T00:00:00Z"));
        tokens("t-trial", "acme", "2026-11-03T00:00:00Z", 300);
        JsonNode live = ok(t.get("/v1/customers/acme/usage")).get("subscriptions").get(0);
        JsonNode liveTokens = null;
        for (JsonNode c : live.get("charges")) {
            if (c.get("charge").asText().equals("tokens")) {
                liveTokens = c;
            }
        }
        assertThat(new BigDecimal(liveTokens.get("quantity").asText())).as("trial usage is free: " + live)
                .isEqualByComparingTo("0");
        assertThat(run(t).get("created").asInt()).isZero();

        moveTo(clock, Instant.parse("2026-11-20T00:00:00Z"));
        tokens("t-paid", "acme", "2026-11-20T00:00:00Z", 200);
        assertThat(ok(t.get("/v1/subscriptions/" + sub.get("id").asText())).get("status").asText()).isEqualTo("active");

        moveTo(clock, DEC_1.plusSeconds(1));
        assertThat(run(t).get("created").asInt()).isEqualTo(1);
        assertThat(invoices(t, "acme")).as("no invoice during the trial").hasSize(1);
        JsonNode nov = invoiceFor(t, "acme", DEC_1);
        assertInvoice(nov,
                // 16.00 + 2.00 + 3.33
                "21.33", "0.00", "21.33",
                // Nov 15..30 after the trial: 30.00 x 16/30 = 16.00
                flat("base", "16.00", "Base fee (prorated 16 of 30 days, Nov 15 – Nov 30)"),
                // only the 200 after the trial: 200 x 0.01 = 2.00
                usage("tokens", "200", "2.00", "Tokens: Usage"),
                // the minimum 10 prorated: 10 x 16/30 = 5.333.. -> 5.33; true-up 5.33 - 2.00 = 3.33
                trueUp("tokens", "3.33", "(prorated 16 of 30 days, Nov 15 – Nov 30)"));
        assertThat(lineEvents(nov.get("id").asText(), nov.get("lines").get(1).get("id").asText(), ""))
                .containsExactly("t-paid");
    }

    @Test
    void aTrialWithAnInAdvanceFeeChargesNothingBeforeTheTrialEnds() {
        created(t.post("/v1/plans", "{\"key\":\"trial-adv\",\"currency\":\"USD\",\"interval\":\"monthly\",\"trial_days\":14,"
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"30.00\",\"timing\":\"in_advance\"}]}"));
        customer("acme", "UTC");
        subscribe("acme", "trial-adv", NOV_1);
        run(t);
        for (JsonNode inv : invoices(t, "acme")) {
            assertThat(new BigDecimal(inv.get("total").asText())).as("charged during the trial: " + inv)
                    .isEqualByComparingTo("0");
        }
        // by the period's end, the 16 post-trial days were billed once, on invoices issued at or after the trial end
        moveTo(clock, DEC_1.plusSeconds(1));
        run(t);
        BigDecimal novemberFee = BigDecimal.ZERO;
        for (JsonNode inv : invoices(t, "acme")) {
            for (JsonNode l : inv.get("lines")) {
                if (l.get("charge").asText().equals("base") && Instant.parse(l.get("period_start").asText()).isBefore(DEC_1)) {
                    novemberFee = novemberFee.add(new BigDecimal(l.get("amount").asText()));
                    assertThat(Instant.parse(inv.get("issued_for").asText()))
                            .isAfterOrEqualTo(Instant.parse("2026-11-15T00:00:00Z"));
                }
            }
        }
        // 30.00 x 16/30
        assertThat(novemberFee).isEqualByComparingTo("16.00");
    }

    // ---- rendering

    @Test
    void anInvoiceRendersAsHtmlWithItsTotalAndAsPdfWhenAvailable() throws Exception {
        created(t.post("/v1/plans", "{\"key\":\"taxed\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"8.875\"}],\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"49.00\",\"timing\":\"in_advance\"}]}"));
        customer("acme", "UTC");
        subscribe("acme", "taxed", NOV_1);
        run(t);
        String id = invoiceFor(t, "acme", NOV_1).get("id").asText();
        ok(t.post("/v1/invoices/" + id + "/finalize", ""));

        HttpResponse<String> html = t.client.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                        + t.server.port() + "/v1/invoices/" + id)).header("Authorization", "Bearer " + TestServer.KEY)
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        // 49.00 + 8.875 % = 4.34875 -> 4.35: 53.35
        assertThat(html.body()).contains("53.35").contains("INV-000001");

        HttpResponse<byte[]> pdf = t.client.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                        + t.server.port() + "/v1/invoices/" + id)).header("Authorization", "Bearer " + TestServer.KEY)
                .header("Accept", "application/pdf").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        Assumptions.assumeTrue(pdf.statusCode() != 406, "PDF rendering is not available yet (406)");
        assertThat(pdf.statusCode()).isEqualTo(200);
        assertThat(pdf.headers().firstValue("Content-Type").orElse("")).startsWith("application/pdf");
        assertThat(new String(pdf.body(), 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    }
}
