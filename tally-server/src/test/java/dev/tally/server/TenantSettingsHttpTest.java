package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TenantSettingsHttpTest {
    static final Instant NOW = Instant.parse("2026-11-01T00:00:00Z");
    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOW);
        t = new TestServer(clock);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    TestServer.Reply patch(String body) {
        return t.send("PATCH", "/v1/tenant", "application/json", body, TestServer.KEY);
    }

    static String png() throws IOException {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 4, java.awt.image.BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    static String svg(String body) {
        return "data:image/svg+xml;base64," + Base64.getEncoder().encodeToString(
                ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">" + body + "</svg>")
                        .getBytes(StandardCharsets.UTF_8));
    }

    static String field(TestServer.Reply r) {
        return r.json().get("errors").get(0).get("field").asText();
    }

    @Test
    void aNewTenantHasTheDefaults() {
        JsonNode s = t.get("/v1/tenant").json();

        assertThat(s.get("id").asText()).isEqualTo("default");
        assertThat(s.get("legal_name").isNull()).isTrue();
        assertThat(s.get("net_terms_days").asInt()).isEqualTo(30);
        assertThat(s.get("invoice_number_prefix").asText()).isEqualTo("INV-");
        assertThat(s.get("language").asText()).isEqualTo("en");
        assertThat(s.get("logo").isNull()).isTrue();
    }

    @Test
    void aPatchChangesOnlyTheFieldsItNamesAndNullClearsOne() throws IOException {
        var r = patch("{\"legal_name\":\"Tally Demo GmbH\",\"address\":{\"line1\":\"Hauptstraße 5\",\"postal_code\":\"10115\","
                + "\"city\":\"Berlin\",\"country\":\"DE\"},\"tax_id\":\"DE123456789\",\"email\":\"billing@demo.test\","
                + "\"logo\":\"" + png() + "\",\"invoice_footer\":\"HRB 12345\",\"payment_instructions\":\"IBAN DE89\","
                + "\"net_terms_days\":14,\"invoice_number_prefix\":\"TD-\",\"language\":\"de\","
                + "\"portal_url\":\"https://billing.demo.test/\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("logo").asText()).startsWith("data:image/png;base64,iVBOR");
        assertThat(r.json().get("portal_url").asText()).isEqualTo("https://billing.demo.test");

        var second = patch("{\"tax_id\":null,\"net_terms_days\":7}");
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        JsonNode s = t.get("/v1/tenant").json();
        assertThat(s.get("legal_name").asText()).isEqualTo("Tally Demo GmbH");
        assertThat(s.get("address").get("city").asText()).isEqualTo("Berlin");
        assertThat(s.get("tax_id").isNull()).isTrue();
        assertThat(s.get("net_terms_days").asInt()).isEqualTo(7);
        assertThat(s.get("invoice_number_prefix").asText()).isEqualTo("TD-");
        assertThat(s.get("logo").asText()).startsWith("data:image/png;base64,");
    }

    @Test
    void invalidFieldsAreRefusedByNameAndNothingChanges() {
        assertThat(field(patch("{\"colour\":\"red\"}"))).isEqualTo("colour");
        assertThat(field(patch("{\"address\":{\"country\":\"Germany\"}}"))).isEqualTo("address.country");
        assertThat(field(patch("{\"address\":{\"street\":\"x\"}}"))).isEqualTo("address.street");
        assertThat(field(patch("{\"email\":\"not-an-email\"}"))).isEqualTo("email");
        assertThat(field(patch("{\"net_terms_days\":400}"))).isEqualTo("net_terms_days");
        assertThat(field(patch("{\"net_terms_days\":\"30\"}"))).isEqualTo("net_terms_days");
        assertThat(field(patch("{\"invoice_number_prefix\":\"INV 2026 \\u00e9\"}"))).isEqualTo("invoice_number_prefix");
        assertThat(field(patch("{\"language\":\"es\"}"))).isEqualTo("language");
        assertThat(field(patch("{\"portal_url\":\"javascript:alert(1)\"}"))).isEqualTo("portal_url");
        assertThat(field(patch("{\"legal_name\":\"" + "x".repeat(201) + "\"}"))).isEqualTo("legal_name");
        var r = patch("{\"legal_name\":\"Fine\",\"language\":\"xx\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        assertThat(t.get("/v1/tenant").json().get("legal_name").isNull()).as("nothing changed").isTrue();
    }

    @Test
    void logosMustBeSmallPngsOrInertSvgs() {
        assertThat(field(patch("{\"logo\":\"https://example.com/logo.png\"}"))).isEqualTo("logo");
        assertThat(patch("{\"logo\":\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\"}").body()).contains("PNG", "SVG");
        // an SVG sent as a PNG, and a PNG's bytes that are not one
        assertThat(patch("{\"logo\":\"" + svg("").replace("image/svg+xml", "image/png") + "\"}").body())
                .contains("not a PNG");
        // too large: 256 KiB is the limit
        byte[] big = new byte[256 * 1024 + 1];
        big[0] = (byte) 0x89;
        var tooBig = patch("{\"logo\":\"data:image/png;base64," + Base64.getEncoder().encodeToString(big) + "\"}");
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.body()).contains("256 KiB");
        // SVGs that could run or fetch something
        for (String bad : new String[] {"<script>alert(1)</script>", "<rect onload=\"alert(1)\"/>",
                "<foreignObject><div xmlns=\"http://www.w3.org/1999/xhtml\">x</div></foreignObject>",
                "<image href=\"https://tracker.example/p.png\"/>", "<style>@import url(https://x.example/a.css);</style>",
                "<rect style=\"fill:url(https://x.example/a)\"/>"}) {
            var r = patch("{\"logo\":\"" + svg(bad) + "\"}");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(field(r)).isEqualTo("logo");
        }
        String doctype = "data:image/svg+xml;base64," + Base64.getEncoder().encodeToString(
                "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(patch("{\"logo\":\"" + doctype + "\"}").status()).isEqualTo(400);
        assertThat(patch("{\"logo\":\"" + svg("<rect width=\"10\" height=\"10\" fill=\"url(#g)\"/>") + "\"}").status())
                .isEqualTo(200);
        assertThat(t.get("/v1/tenant").json().get("logo").asText()).startsWith("data:image/svg+xml;base64,");
    }

    @Test
    void readingNeedsReadAndChangingNeedsAdmin() {
        var created = t.post("/v1/api-keys", "{\"name\":\"r\",\"scopes\":[\"read\"]}");
        String read = created.json().get("key").asText();

        assertThat(t.send("GET", "/v1/tenant", null, null, read).status()).isEqualTo(200);
        var forbidden = t.send("PATCH", "/v1/tenant", "application/json", "{\"legal_name\":\"X\"}", read);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(t.send("GET", "/v1/tenant", null, null, null).status()).isEqualTo(401);
    }

    @Test
    void finalizedInvoicesTakeThePrefixTheDueDateAndTheSellerAndSpeakTheCustomersLanguage() throws Exception {
        assertThat(patch("{\"legal_name\":\"Tally Demo GmbH\",\"address\":{\"line1\":\"Hauptstraße 5\","
                + "\"postal_code\":\"10115\",\"city\":\"Berlin\",\"country\":\"DE\"},\"tax_id\":\"DE123456789\","
                + "\"net_terms_days\":14,\"invoice_number_prefix\":\"TD-\"}").status()).isEqualTo(200);
        t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}");
        var c = t.post("/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme GmbH\",\"timezone\":\"Europe/Berlin\","
                + "\"currency\":\"EUR\",\"net_terms_days\":10,\"language\":\"de\","
                + "\"billing_address\":{\"line1\":\"Marienplatz 1\",\"postal_code\":\"80331\",\"city\":\"München\",\"country\":\"DE\"}}");
        assertThat(c.status()).as(c.body()).isEqualTo(201);
        assertThat(c.json().get("net_terms_days").asInt()).isEqualTo(10);
        assertThat(c.json().get("language").asText()).isEqualTo("de");
        assertThat(t.post("/v1/customers", "{\"external_id\":\"b\",\"currency\":\"EUR\",\"language\":\"es\"}").status())
                .isEqualTo(400);
        t.post("/v1/plans", "{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"EUR\",\"interval\":\"monthly\","
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"49\",\"timing\":\"in_advance\"}]}");
        assertThat(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}").status()).isEqualTo(201);
        t.post("/v1/billing/runs", "");
        JsonNode draft = t.get("/v1/invoices?customer=acme").json().get("invoices").get(0);
        assertThat(draft.get("due_date").isNull()).isTrue();
        assertThat(draft.get("lines").get(0).get("price").isObject()).as("the price is an object, not a string").isTrue();
        assertThat(draft.get("lines").get(0).get("price").get("amount").asText()).isEqualTo("49");
        clock.advance(Duration.ofHours(3));
        var fin = t.post("/v1/invoices/" + draft.get("id").asText() + "/finalize", "");
        assertThat(fin.status()).as(fin.body()).isEqualTo(200);
        assertThat(fin.json().get("number").asText()).isEqualTo("TD-000001");
        // finalized on Nov 1 at 04:00 in Berlin: due 10 days later (the customer's terms, not the tenant's 14)
        assertThat(fin.json().get("due_date").asText()).isEqualTo("2026-11-11");

        var pdf = t.client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:"
                + t.server.port() + "/v1/invoices/" + draft.get("id").asText()))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Accept", "application/pdf").build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pdf.statusCode()).isEqualTo(200);
        try (var doc = org.apache.pdfbox.Loader.loadPDF(pdf.body())) {
            String text = new org.apache.pdfbox.text.PDFTextStripper().getText(doc).replace('\u00a0', ' ');
            assertThat(text).contains("Tally Demo GmbH", "10115 Berlin", "USt-IdNr. DE123456789", "Rechnung TD-000001",
                    "Fällig am", "11.11.2026", "80331 München", "Deutschland", "49,00 €");
            assertThat(text).doesNotContain("/v1/", "default");
        }
    }
}
