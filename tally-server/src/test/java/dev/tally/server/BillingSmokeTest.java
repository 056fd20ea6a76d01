package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BillingSmokeTest {
    @Test
    void aMonthOfUsageBecomesAFinalizedInvoiceReadableAsPdfAndHtml() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
        try (TestServer t = new TestServer(clock)) {
            t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}");
            var c = t.post("/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
            assertThat(c.status()).as(c.body()).isEqualTo(201);
            var p = t.post("/v1/plans", "{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"USD\",\"interval\":\"monthly\","
                    + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"},"
                    + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}");
            assertThat(p.status()).as(p.body()).isEqualTo(201);
            var s = t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}");
            assertThat(s.status()).as(s.body()).isEqualTo(201);
            var run0 = t.post("/v1/billing/runs", "");
            assertThat(run0.status()).as(run0.body()).isEqualTo(200);
            assertThat(run0.json().get("created").asInt()).as(run0.body()).isEqualTo(1);
            clock.advance(Duration.ofDays(10));
            t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"a\",\"type\":\"llm.tokens\",\"subject\":\"acme\",\"data\":{\"tokens\":1234}}");
            JsonNode usage = t.get("/v1/customers/acme/usage").json();
            assertThat(usage.toString()).contains("\"estimated_total\":\"22.34\"");
            clock.advance(Duration.ofDays(20));
            var run1 = t.post("/v1/billing/runs", "");
            assertThat(run1.json().get("created").asInt()).as(run1.body()).isEqualTo(1);
            JsonNode invoices = t.get("/v1/invoices?customer=acme").json().get("invoices");
            assertThat(invoices).hasSize(2);
            JsonNode closing = invoices.get(0);
            assertThat(closing.get("status").asText()).isEqualTo("draft");
            assertThat(closing.get("total").asText()).as(closing.toString()).isEqualTo("22.34");
            clock.advance(Duration.ofHours(2));
            var run2 = t.post("/v1/billing/runs", "");
            assertThat(run2.json().get("finalized").asInt()).as(run2.body()).isEqualTo(1);
            JsonNode fin = t.get("/v1/invoices/" + closing.get("id").asText()).json();
            assertThat(fin.get("number").asText()).startsWith("INV-");
            JsonNode usageLine = null;
            for (JsonNode l : fin.get("lines")) {
                if (l.get("kind").asText().equals("usage")) {
                    usageLine = l;
                }
            }
            assertThat(usageLine).as(fin.toString()).isNotNull();
            JsonNode ev = t.get("/v1/invoices/" + fin.get("id").asText() + "/lines/" + usageLine.get("id").asText() + "/events").json();
            assertThat(ev.get("events")).hasSize(1);
            var pdf = t.client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:"
                    + t.server.port() + "/v1/invoices/" + fin.get("id").asText()))
                    .header("Authorization", "Bearer " + TestServer.KEY).header("Accept", "application/pdf").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(pdf.statusCode()).isEqualTo(200);
            assertThat(pdf.headers().firstValue("Content-Type")).contains("application/pdf");
            try (var doc = org.apache.pdfbox.Loader.loadPDF(pdf.body())) {
                String text = new org.apache.pdfbox.text.PDFTextStripper().getText(doc);
                assertThat(text).contains("INV-000002", "Acme", "$22.34", "$12.34", "$10.00");
            }
            var html = t.client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:"
                    + t.server.port() + "/v1/invoices/" + fin.get("id").asText()))
                    .header("Authorization", "Bearer " + TestServer.KEY).header("Accept", "text/html").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(html.body()).contains("INV-000002", "$22.34").doesNotContain("<script");
        }
    }
}
