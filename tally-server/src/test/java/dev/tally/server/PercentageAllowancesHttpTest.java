package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.invoiceFor;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The percentage price with both free allowances (free events and free amount) over HTTP: the price preview, and
 * an invoice whose events arrived out of event-time order (the allowances are used up in event-time order).
 */
class PercentageAllowancesHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");
    static final String SIX_EVENTS = "\"events\":[{\"value\":\"300\"},{\"value\":\"300\"},{\"value\":\"300\"},"
            + "{\"value\":\"300\"},{\"value\":\"300\"},{\"value\":\"300\"}]";

    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    static String percentage(int freeEvents) {
        return "{\"model\":\"percentage\",\"rate\":\"2\",\"fixed_fee\":\"0.10\",\"free_events\":" + freeEvents
                + ",\"free_amount\":\"1000\"}";
    }

    @Test
    void previewEndsTheFreeAllowanceAtTheFreeAmountWhenItIsReachedFirst() {
        JsonNode r = ok(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":" + percentage(5) + ","
                + SIX_EVENTS + "}"));

        // free units min(1000, 1500) = 1000, 3 free events: (1800 - 1000) x 2 % + 3 x 0.10
        assertThat(r.get("amount").asText()).isEqualTo("16.30");
        assertThat(r.get("lines").get(0).get("description").asText()).isEqualTo("Free events");
        assertThat(r.get("lines").get(0).get("quantity").asText()).isEqualTo("3");
    }

    @Test
    void previewEndsTheFreeAllowanceAtTheFreeEventsWhenTheyAreReachedFirst() {
        JsonNode r = ok(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":" + percentage(2) + ","
                + SIX_EVENTS + "}"));

        // free units min(1000, 600) = 600, 2 free events, 4 paid: (1800 - 600) x 2 % + 4 x 0.10
        assertThat(r.get("amount").asText()).isEqualTo("24.40");
    }

    @Test
    void anInvoiceUsesTheAllowancesUpInEventTimeOrderWhateverTheArrivalOrder() {
        created(t.post("/v1/meters", "{\"key\":\"payments\",\"event_type\":\"payment.captured\",\"aggregation\":\"sum\","
                + "\"value_path\":\"amount\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"shop\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"payments\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"payments\",\"type\":\"usage\",\"name\":\"Payments\",\"meter\":\"payments\",\"price\":"
                + percentage(5) + "}]}"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"shop\",\"plan\":\"payments\",\"start\":\"" + NOV_1 + "\"}"));
        moveTo(clock, Instant.parse("2026-11-20T12:00:00Z"));
        // one payment of 700 at 10:00 sent after five of 300 later in the same hour: in event-time order the
        // running totals are 700, 1000, 1300, ...: free units min(1000, 1900) = 1000, 2 free events, 4 paid:
        // (2200 - 1000) x 2 % + 4 x 0.10 = 24.40 (in arrival order 300, 600, 900 would be 3 free events: 24.30)
        List<String> events = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            events.add(event("p" + i, "payment.captured", "shop", Instant.parse("2026-11-20T10:0" + i + ":00Z"),
                    "{\"amount\":300}"));
        }
        ingest(t, events);
        ingest(t, List.of(event("p0", "payment.captured", "shop", Instant.parse("2026-11-20T10:00:00Z"),
                "{\"amount\":700}")));
        moveTo(clock, DEC_1);
        run(t);

        JsonNode inv = invoiceFor(t, "shop", DEC_1);
        assertThat(inv.get("total").asText()).as(inv.toString()).isEqualTo("24.40");
        assertThat(inv.get("lines").get(0).get("description").asText()).isEqualTo("Payments: Free events");
        assertThat(inv.get("lines").get(0).get("quantity").asText()).isEqualTo("2");
    }
}
