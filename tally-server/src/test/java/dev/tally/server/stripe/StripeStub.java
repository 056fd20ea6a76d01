package dev.tally.server.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Stripe-shaped HTTP stub on 127.0.0.1 (WireMock, port 0): answers the calls the push step makes with objects of
 * the shapes Stripe documents (customer, invoice, invoiceitem, list, search_result, invoice_payment, error; fields as
 * in Stripe's OpenAPI spec for API version 2025-11-17.clover, as its generated client types list them) and
 * records every request, so tests assert paths, form fields, amounts and Idempotency-Key headers.
 */
final class StripeStub implements AutoCloseable {
    static final String CUSTOMER = "cus_TStub0001";
    static final String INVOICE = "in_1TStubInv0001";
    static final String PAYMENT_INTENT = "pi_3TStubPi0001";
    static final String CHARGE = "ch_3TStubCh0001";
    private static final String CREATED = "created";

    final WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

    StripeStub() {
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    static String list(String url, String... items) {
        return "{\"object\":\"list\",\"data\":[" + String.join(",", items) + "],\"has_more\":false,\"url\":\"" + url
                + "\"}";
    }

    static String customer(String email, String tallyCustomer) {
        return "{\"id\":\"" + CUSTOMER + "\",\"object\":\"customer\",\"balance\":0,\"created\":1764547200,"
                + "\"currency\":null,\"deleted\":null,\"email\":" + (email == null ? "null" : "\"" + email + "\"")
                + ",\"invoice_prefix\":\"TSTUB\",\"livemode\":false,\"metadata\":{\"tally_customer_id\":\""
                + tallyCustomer + "\",\"tally_tenant\":\"default\"},\"name\":\"Acme\"}";
    }

    static String invoice(String status, String currency, long due, long paid, String tallyInvoice, String payments) {
        return "{\"id\":\"" + INVOICE + "\",\"object\":\"invoice\",\"account_country\":\"US\",\"amount_due\":" + due
                + ",\"amount_paid\":" + paid + ",\"amount_remaining\":" + (due - paid) + ",\"attempt_count\":0,"
                + "\"auto_advance\":" + !"draft".equals(status) + ",\"collection_method\":\"charge_automatically\","
                + "\"created\":1764547200,\"currency\":\"" + currency + "\",\"customer\":\"" + CUSTOMER + "\","
                + "\"livemode\":false,\"metadata\":{\"tally_invoice_id\":\"" + tallyInvoice + "\",\"tally_tenant\":"
                + "\"default\"},\"status\":\"" + status + "\",\"status_transitions\":{\"finalized_at\":null,"
                + "\"paid_at\":null},\"total\":" + due + (payments == null ? "" : ",\"payments\":" + payments) + "}";
    }

    static String invoicePayment() {
        return "{\"id\":\"inpay_1TStub0001\",\"object\":\"invoice_payment\",\"amount_paid\":null,\"amount_requested\":0,"
                + "\"created\":1764547200,\"currency\":\"usd\",\"invoice\":\"" + INVOICE + "\",\"is_default\":true,\"livemode\":false,"
                + "\"payment\":{\"type\":\"payment_intent\",\"payment_intent\":\"" + PAYMENT_INTENT + "\"},"
                + "\"status\":\"open\",\"status_transitions\":{\"canceled_at\":null,\"paid_at\":null}}";
    }

    static String error(String type, String code, String message) {
        return "{\"error\":{\"type\":\"" + type + "\",\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withHeader("Request-Id",
                "req_stub").withBody(body);
    }

    /**
     * Stubs a whole successful push of one Tally invoice: no Stripe customer yet (created), no Stripe invoice until
     * it is created (then the customer's list shows it, as Stripe's does), no items, finalize answers it open and
     * due {@code due} with its payment intent.
     */
    void happyPush(String tallyInvoice, String currency, long due) {
        server.stubFor(get(urlPathEqualTo("/v1/customers")).willReturn(ok(list("/v1/customers"))));
        server.stubFor(get(urlPathEqualTo("/v1/customers/search")).willReturn(ok("{\"object\":\"search_result\","
                + "\"data\":[],\"has_more\":false,\"next_page\":null,\"url\":\"/v1/customers/search\"}")));
        server.stubFor(post(urlPathEqualTo("/v1/customers")).willReturn(ok(customer("billing@acme.test", "acme"))));
        server.stubFor(get(urlPathEqualTo("/v1/invoices")).inScenario("invoice").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(ok(list("/v1/invoices"))));
        server.stubFor(get(urlPathEqualTo("/v1/invoices")).inScenario("invoice").whenScenarioStateIs(CREATED)
                .willReturn(ok(list("/v1/invoices", invoice("draft", currency, 0, 0, tallyInvoice, null)))));
        server.stubFor(post(urlPathEqualTo("/v1/invoices")).inScenario("invoice").willSetStateTo(CREATED)
                .willReturn(ok(invoice("draft", currency, 0, 0, tallyInvoice, null))));
        server.stubFor(get(urlPathEqualTo("/v1/invoices/" + INVOICE)).willReturn(ok(invoice("draft", currency, 0, 0,
                tallyInvoice, null))));
        server.stubFor(get(urlPathEqualTo("/v1/invoiceitems")).willReturn(ok(list("/v1/invoiceitems"))));
        server.stubFor(post(urlPathEqualTo("/v1/invoiceitems")).willReturn(ok("{\"id\":\"ii_1TStub\",\"object\":"
                + "\"invoiceitem\",\"amount\":0,\"currency\":\"" + currency + "\",\"customer\":\"" + CUSTOMER + "\","
                + "\"invoice\":\"" + INVOICE + "\",\"livemode\":false,\"metadata\":{}}")));
        server.stubFor(post(urlPathEqualTo("/v1/invoices/" + INVOICE + "/finalize")).willReturn(ok(invoice("open",
                currency, due, 0, tallyInvoice, list("/v1/invoices/" + INVOICE + "/payments", invoicePayment())))));
    }

    /** The requests of one method and path, oldest first. */
    List<LoggedRequest> requests(String method, String path) {
        return server.getAllServeEvents().stream().map(e -> e.getRequest())
                .filter(r -> r.getMethod().value().equals(method) && URI.create(r.getUrl()).getPath().equals(path))
                .sorted(java.util.Comparator.comparing(LoggedRequest::getLoggedDate)).toList();
    }

    /** A form-encoded request body as a map (Stripe's bracket keys kept as they are). */
    static Map<String, String> form(LoggedRequest r) {
        Map<String, String> out = new LinkedHashMap<>();
        String body = r.getBodyAsString();
        if (body.isEmpty()) {
            return out;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public void close() {
        server.stop();
    }
}
