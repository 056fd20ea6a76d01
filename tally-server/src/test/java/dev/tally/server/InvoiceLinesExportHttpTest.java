package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvoiceLinesExportHttpTest {
    @Test
    void linesOfFinalizedInvoicesAddUpToTheirTotalsAndDraftsAreLeftOut() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
        try (TestServer t = new TestServer(clock)) {
            t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}");
            t.post("/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
            t.post("/v1/plans", "{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"USD\",\"interval\":\"monthly\","
                    + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"},"
                    + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}");
            t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}");
            t.post("/v1/billing/runs", "");
            clock.advance(Duration.ofDays(10));
            t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"a\",\"type\":\"llm.tokens\",\"subject\":\"acme\",\"data\":{\"tokens\":1234}}");
            clock.advance(Duration.ofDays(20));
            t.post("/v1/billing/runs", "");
            String url = "/v1/exports/invoice-lines?from=2026-10-01T00:00:00Z&to=2027-01-01T00:00:00Z";
            // the closing invoice is still a draft (grace period): only the opening one is a fact yet
            List<JsonNode> before = lines(t, url);
            clock.advance(Duration.ofHours(2));
            t.post("/v1/billing/runs", "");
            List<JsonNode> after = lines(t, url);
            assertThat(after.size()).isGreaterThan(before.size());
            JsonNode invoices = t.get("/v1/invoices?customer=acme").json().get("invoices");
            BigDecimal totals = BigDecimal.ZERO;
            for (JsonNode inv : invoices) {
                totals = totals.add(new BigDecimal(inv.get("total").asText()));
            }
            BigDecimal exported = after.stream().map(l -> new BigDecimal(l.get("amount").asText()))
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(exported).isEqualByComparingTo(totals).isEqualByComparingTo("32.34");
            assertThat(after).extracting(l -> l.get("invoice_number").asText()).allMatch(n -> n.startsWith("INV-"));
            assertThat(after.get(0).get("invoice_status").asText()).isEqualTo("finalized");

            var parquet = t.send("GET", url + "&format=parquet", null, null, TestServer.KEY);
            assertThat(parquet.status()).isEqualTo(200);
            assertThat(parquet.body()).startsWith("PAR1");
            assertThat(t.send("GET", url + "&format=csv", null, null, TestServer.KEY).status()).isEqualTo(400);
        }
    }

    static List<JsonNode> lines(TestServer t, String url) throws Exception {
        var r = t.send("GET", url, null, null, TestServer.KEY);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isEmpty()) {
                out.add(t.mapper.readTree(line));
            }
        }
        return out;
    }
}
