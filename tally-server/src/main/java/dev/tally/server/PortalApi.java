package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.CustomerJson;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Invoice;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /v1/portal}: what a customer-portal token may read — its one customer, that customer's live usage
 * and estimate, its usage per meter, and its invoices (JSON, HTML or PDF). Every answer is computed for the
 * token's customer whatever the request names; another customer's invoice is "not found".
 */
final class PortalApi {
    private final Engine engine;
    private final ObjectMapper mapper;
    private final BillingApi billing;
    private final MetersApi meters;

    PortalApi(Engine engine, ObjectMapper mapper, BillingApi billing, MetersApi meters) {
        this.engine = engine;
        this.mapper = mapper;
        this.billing = billing;
        this.meters = meters;
    }

    private static String customerOf(Request r) {
        return r.principal.customer().orElseThrow();
    }

    /** The request as the customer-scoped handler sees it: the customer fixed to the token's. */
    private static Request forCustomer(Request r, Map<String, String> extraPath) {
        Map<String, String> path = new HashMap<>(r.pathParams);
        path.putAll(extraPath);
        path.put("external_id", customerOf(r));
        Request scoped = new Request(r.exchange, path);
        scoped.principal = r.principal;
        scoped.query.remove("subject");
        scoped.query.put("customer", List.of(customerOf(r)));
        return scoped;
    }

    void customer(Request r) throws IOException {
        Responses.json(r.exchange, 200, CustomerJson.write(engine.billing().customer(r.tenant(), customerOf(r))), mapper);
    }

    void usage(Request r) throws IOException {
        billing.customerUsage(forCustomer(r, Map.of()));
    }

    void meterUsage(Request r) throws IOException {
        meters.usage(forCustomer(r, Map.of()));
    }

    void invoices(Request r) throws IOException {
        billing.listInvoices(forCustomer(r, Map.of()));
    }

    void invoice(Request r) throws IOException {
        Invoice inv = engine.billing().invoice(r.tenant(), r.path("id"));
        if (!inv.customer().equals(customerOf(r))) {
            throw HttpError.notFound("no invoice '" + r.path("id") + "'");
        }
        billing.getInvoice(forCustomer(r, Map.of()));
    }

    /** The customer's wallets: live balance, burn rate and how long it lasts (as the wallets route computes them). */
    void wallets(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        out.put("customer", customerOf(r));
        com.fasterxml.jackson.databind.node.ArrayNode list = out.putArray("wallets");
        for (dev.tally.engine.credit.live.LiveWallet w : engine.liveCredits().wallets(r.tenant(), customerOf(r))) {
            list.add(dev.tally.engine.credit.live.LiveJson.wallet(w, Optional.empty()));
        }
        Responses.json(r.exchange, 200, out, mapper);
    }
}
