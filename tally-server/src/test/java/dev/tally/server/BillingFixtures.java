package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Helpers shared by the billing tests over HTTP: CloudEvents, moving the clock, finding invoices, and
 * comparing an invoice with lines computed by hand.
 */
final class BillingFixtures {
    private BillingFixtures() {
    }

    /** One CloudEvent as JSON; {@code data} is a JSON object. */
    static String event(String id, String type, String subject, Instant time, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"test\",\"type\":\"" + type
                + "\",\"subject\":\"" + subject + "\",\"time\":\"" + time + "\",\"data\":" + data + "}";
    }

    /** Posts a batch and checks every event was accepted. */
    static void ingest(TestServer t, List<String> events) {
        if (events.isEmpty()) {
            return;
        }
        var r = t.events("application/cloudevents-batch+json", "[" + String.join(",", events) + "]");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("accepted").asInt()).as(r.body()).isEqualTo(events.size());
    }

    /** Moves the clock forward to {@code to}. */
    static void moveTo(MutableClock clock, Instant to) {
        Duration d = Duration.between(clock.instant(), to);
        assertThat(d.isNegative()).as("the clock only moves forward, to " + to).isFalse();
        clock.advance(d);
    }

    static JsonNode created(TestServer.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    static JsonNode ok(TestServer.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    /** POST /v1/billing/runs; returns {created, refreshed, finalized}. */
    /**
     * The money-path tests' book: meter {@code tokens} (sum of {@code tokens} of {@code llm.tokens}), customer
     * {@code acme} (UTC, USD), plan {@code pro} (20.00 platform fee in arrears, tokens at 0.01, 10 % tax), grace 0,
     * and a subscription from {@code start}; returns the subscription's id.
     */
    static String proPlanSubscription(TestServer t, Instant start) {
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":["
                + "{\"key\":\"platform\",\"type\":\"flat\",\"name\":\"Platform\",\"amount\":\"20.00\",\"timing\":\"in_arrears\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        return created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"" + start + "\"}"))
                .get("id").asText();
    }

    static JsonNode run(TestServer t) {
        return ok(t.post("/v1/billing/runs", ""));
    }

    /** Every invoice of a customer, newest boundary first, as the list returns them. */
    static List<JsonNode> invoices(TestServer t, String customer) {
        List<JsonNode> out = new ArrayList<>();
        ok(t.get("/v1/invoices?customer=" + customer)).get("invoices").forEach(out::add);
        return out;
    }

    /** The full invoice (GET /v1/invoices/{id}) a customer got for one boundary. */
    static JsonNode invoiceFor(TestServer t, String customer, Instant boundary) {
        for (JsonNode i : invoices(t, customer)) {
            if (Instant.parse(i.get("issued_for").asText()).equals(boundary)) {
                return ok(t.get("/v1/invoices/" + i.get("id").asText()));
            }
        }
        throw new AssertionError("no invoice of " + customer + " issued for " + boundary + " in "
                + invoices(t, customer));
    }

    /** A line as computed by hand. {@code description} is a fragment the line's description must contain, or null. */
    record Line(String kind, String charge, String quantity, String amount, String description) {
    }

    static Line flat(String charge, String amount, String description) {
        return new Line("flat_fee", charge, "1", amount, description);
    }

    static Line usage(String charge, String quantity, String amount, String description) {
        return new Line("usage", charge, quantity, amount, description);
    }

    static Line trueUp(String charge, String amount, String description) {
        return new Line("minimum_true_up", charge, "1", amount, description);
    }

    static Line cap(String charge, String amount, String description) {
        return new Line("maximum_cap", charge, "1", amount, description);
    }

    static Line credit(String charge, String amount, String description) {
        return new Line("proration_credit", charge, "1", amount, description);
    }

    static Line adjustment(String charge, String amount, String description) {
        return new Line("adjustment", charge, "1", amount, description);
    }

    /**
     * Checks an invoice line by line (kind, charge, quantity, amount to the digit, description fragment), then its
     * totals. The expected subtotal must also be the sum of the expected lines: a check of the hand arithmetic.
     */
    static void assertInvoice(JsonNode inv, String subtotal, String tax, String total, Line... expected) {
        JsonNode lines = inv.get("lines");
        List<String> actual = new ArrayList<>();
        lines.forEach(l -> actual.add(l.get("kind").asText() + " " + l.get("charge").asText() + " "
                + l.get("quantity").asText() + " -> " + l.get("amount").asText() + " (" + l.get("description").asText() + ")"));
        assertThat(lines.size()).as("lines of " + inv.get("id").asText() + ":\n" + String.join("\n", actual))
                .isEqualTo(expected.length);
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < expected.length; i++) {
            Line e = expected[i];
            JsonNode l = lines.get(i);
            String where = "line " + (i + 1) + " " + actual.get(i);
            assertThat(l.get("kind").asText()).as(where).isEqualTo(e.kind());
            assertThat(l.get("charge").asText()).as(where).isEqualTo(e.charge());
            assertThat(new BigDecimal(l.get("quantity").asText())).as(where).isEqualByComparingTo(e.quantity());
            assertThat(l.get("amount").asText()).as(where).isEqualTo(e.amount());
            if (e.description() != null) {
                assertThat(l.get("description").asText()).as(where).contains(e.description());
            }
            sum = sum.add(new BigDecimal(e.amount()));
        }
        assertThat(sum).as("the hand-computed lines add up to the hand-computed subtotal").isEqualByComparingTo(subtotal);
        assertThat(inv.get("subtotal").asText()).as("subtotal of " + inv).isEqualTo(subtotal);
        assertThat(inv.get("tax").asText()).as("tax of " + inv).isEqualTo(tax);
        assertThat(inv.get("total").asText()).as("total of " + inv).isEqualTo(total);
        assertThat(new BigDecimal(subtotal).add(new BigDecimal(tax))).as("hand arithmetic: total = subtotal + tax")
                .isEqualByComparingTo(total);
    }

    /** The sum of the amounts of an invoice's lines of one charge. */
    static BigDecimal chargeTotal(JsonNode inv, String charge) {
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode l : inv.get("lines")) {
            if (l.get("charge").asText().equals(charge)) {
                sum = sum.add(new BigDecimal(l.get("amount").asText()));
            }
        }
        return sum;
    }
}
