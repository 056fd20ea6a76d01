package dev.tally.server.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.notify.WebhookSettings;
import dev.tally.server.ServerConfig;
import dev.tally.server.TallyServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Stripe tests' fixture: a Tally server on port 0 (data in a temp directory, a manual clock, the push step
 * not scheduled) whose Stripe API base is a {@link StripeStub}; a small JSON client; and webhooks signed exactly
 * as Stripe signs them.
 */
final class StripeFixture implements AutoCloseable {
    static final String KEY = "tly_test_admin_key_0123456789abcdef";
    static final String API_KEY = "sk_test_51TallyStubKeyAbCdEfGh4242";
    static final String WEBHOOK_SECRET = "whsec_tallyStubSigningSecret0123";
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");

    final ManualClock clock;
    final StripeStub stub;
    final Path dir;
    TallyServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final ObjectMapper mapper = Json.newMapper();
    StripeSettings settings;

    StripeFixture() throws IOException {
        this(new ManualClock(NOV_1));
    }

    StripeFixture(ManualClock clock) throws IOException {
        this.clock = clock;
        this.stub = new StripeStub();
        this.dir = Files.createTempDirectory("tally-stripe-test");
        this.settings = StripeSettings.DEFAULTS.withApiBase(stub.base()).withPushEvery(Duration.ZERO)
                .withBackoff(Duration.ofSeconds(10), Duration.ofMinutes(10));
        start();
    }

    void start() {
        server = TallyServer.start(new ServerConfig(0, dir, Optional.of(KEY), Optional.empty(), Duration.ofDays(35),
                Duration.ZERO, Optional.empty(), WebhookSettings.MANUAL.withAllowPrivateAddresses(true))
                .withStripe(settings), clock);
    }

    /** Stops the server as a restart would and starts a new one on the same data directory. */
    void restart() {
        server.close();
        start();
    }

    StripeProvider stripe() {
        return server.stripe();
    }

    record Reply(int status, JsonNode json, String body) {
    }

    Reply send(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = r.body().isEmpty() || !r.headers().firstValue("Content-Type").orElse("").contains("json")
                    ? null : mapper.readTree(r.body());
            return new Reply(r.statusCode(), json, r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply call(String method, String path, String json) {
        return send(method, path, json, json == null ? Map.of("Authorization", "Bearer " + KEY)
                : Map.of("Authorization", "Bearer " + KEY, "Content-Type", "application/json"));
    }

    JsonNode ok(String method, String path, String json) {
        Reply r = call(method, path, json);
        assertThat(r.status()).as("%s %s: %s", method, path, r.body()).isBetween(200, 201);
        return r.json();
    }

    void connect() {
        ok("PUT", "/v1/providers/stripe", "{\"api_key\":\"" + API_KEY + "\",\"webhook_secret\":\"" + WEBHOOK_SECRET + "\"}");
    }

    /**
     * A customer {@code acme} in {@code currency} on a monthly plan with one flat fee of {@code fee} billed in
     * advance and a {@code taxPercent} tax, subscribed from Nov 1 (a whole period, so nothing is prorated); the
     * billing run issues and finalizes its opening invoice. Returns the invoice.
     */
    JsonNode finalizedInvoice(String currency, String fee, String taxPercent) {
        ok("PUT", "/v1/billing/settings", "{\"grace_period_seconds\":0}");
        ok("POST", "/v1/plans", "{\"key\":\"p\",\"currency\":\"" + currency + "\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"VAT\",\"percent\":\"" + taxPercent + "\"}],\"charges\":[{\"key\":\"base\","
                + "\"type\":\"flat\",\"name\":\"Platform fee\",\"amount\":\"" + fee + "\",\"timing\":\"in_advance\"}]}");
        ok("POST", "/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme\",\"email\":\"billing@acme.test\","
                + "\"timezone\":\"UTC\",\"currency\":\"" + currency + "\"}");
        ok("POST", "/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"p\",\"start\":\"" + NOV_1 + "\"}");
        ok("POST", "/v1/billing/runs", null);
        JsonNode inv = ok("GET", "/v1/invoices?customer=acme", null).get("invoices").get(0);
        assertThat(inv.get("status").asText()).isEqualTo("finalized");
        return inv;
    }

    /** A Stripe event of {@code type} about {@code object}, created at {@code created}. */
    static String event(String id, String type, Instant created, String object) {
        return "{\"id\":\"" + id + "\",\"object\":\"event\",\"api_version\":\"2025-11-17.clover\",\"created\":"
                + created.getEpochSecond() + ",\"data\":{\"object\":" + object + "},\"livemode\":false,"
                + "\"pending_webhooks\":1,\"request\":{\"id\":null,\"idempotency_key\":null},\"type\":\"" + type + "\"}";
    }

    /** The Stripe-Signature header Stripe sends: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">}. */
    static String sign(String payload, String secret, Instant at) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signed = at.getEpochSecond() + "." + payload;
            return "t=" + at.getEpochSecond() + ",v1="
                    + HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Posts a webhook to the tenant's Stripe route, signed now with the connected secret. */
    Reply webhook(String payload) {
        return webhook(payload, sign(payload, WEBHOOK_SECRET, clock.instant()));
    }

    Reply webhook(String payload, String signature) {
        return send("POST", "/v1/providers/stripe/webhooks/default", payload,
                Map.of("Content-Type", "application/json", "Stripe-Signature", signature));
    }

    JsonNode payments(String invoiceId) {
        return ok("GET", "/v1/invoices/" + invoiceId + "/payments", null);
    }

    @Override
    public void close() {
        server.close();
        stub.close();
    }
}
