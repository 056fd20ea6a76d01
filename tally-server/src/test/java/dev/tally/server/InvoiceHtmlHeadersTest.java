package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The HTML invoice, for the operator and in the portal, is sent with a strict CSP and nosniff like the dashboard. */
class InvoiceHtmlHeadersTest {
    @Test
    void theHtmlInvoiceForbidsEverythingButItsOwnStylesOperatorAndPortal() throws Exception {
        try (TestServer t = new TestServer(new MutableClock(Instant.parse("2026-11-20T10:00:00Z")))) {
            t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
            t.post("/v1/plans", "{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                    + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"}]}");
            t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"p\"}");
            t.post("/v1/billing/runs", "");
            String id = t.get("/v1/invoices?customer=acme").json().get("invoices").get(0).get("id").asText();
            String token = t.post("/v1/customers/acme/portal-tokens", "{\"ttl_seconds\":600}").json().get("token").asText();
            for (String[] how : new String[][] {{"/v1/invoices/" + id, TestServer.KEY},
                    {"/v1/portal/invoices/" + id, token}}) {
                HttpResponse<String> r = t.client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + t.server.port() + how[0]))
                        .header("Authorization", "Bearer " + how[1]).header("Accept", "text/html").GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(how[0]).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
                String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
                assertThat(csp).as(how[0]).contains("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'")
                        .doesNotContain("script-src");
                assertThat(r.headers().firstValue("X-Content-Type-Options")).as(how[0]).contains("nosniff");
                assertThat(r.body()).contains("<html");
            }
        }
    }
}
