package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.payment.PaymentJson;
import dev.tally.engine.payment.PaymentStatus;
import dev.tally.engine.payment.dunning.Dunning;
import dev.tally.engine.payment.dunning.DunningJson;
import dev.tally.engine.payment.dunning.DunningStep;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The dunning policy ({@code GET/PUT /v1/dunning-policy}), an invoice's dunning history and schedule
 * ({@code GET /v1/invoices/{id}/dunning}), the retry button ({@code POST /v1/invoices/{id}/payments/retry}) and the
 * {@code overdue} filter of the invoice list.
 */
final class DunningApi {
    private static final int MAX_BODY = 16 * 1024;
    private final Engine engine;
    private final Dunning dunning;
    private final ObjectMapper mapper;

    DunningApi(Engine engine, ObjectMapper mapper) {
        this.engine = engine;
        this.dunning = engine.dunning();
        this.mapper = mapper;
    }

    void getPolicy(Request r) throws IOException {
        Responses.json(r.exchange, 200, DunningJson.policy(dunning.policy(r.tenant())), mapper);
    }

    void putPolicy(Request r) throws IOException {
        Responses.json(r.exchange, 200, DunningJson.policy(dunning.putPolicy(r.tenant(), JsonBody.read(r, MAX_BODY))),
                mapper);
    }

    void retry(Request r) throws IOException {
        DunningStep step = dunning.retryNow(r.tenant(), r.path("id"));
        ObjectNode out = DunningJson.step(step);
        Invoice inv = engine.billing().invoice(r.tenant(), step.invoice());
        PaymentJson.putState(out.putObject("invoice_payment"), engine.payments().summary(inv));
        Responses.json(r.exchange, 201, out, mapper);
    }

    void invoice(Request r) throws IOException {
        Invoice inv = engine.billing().invoice(r.tenant(), r.path("id"));
        Dunning.State state = dunning.state(inv);
        ObjectNode out = mapper.createObjectNode();
        out.put("invoice", inv.id());
        out.put("customer", inv.customer());
        out.put("policy_enabled", dunning.policy(r.tenant()).enabled());
        out.put("overdue", state.overdue());
        state.uncollectibleAt().ifPresentOrElse(t -> out.put("uncollectible_at", t.toString()),
                () -> out.putNull("uncollectible_at"));
        ArrayNode steps = out.putArray("steps");
        dunning.steps(r.tenant(), inv.id()).forEach(s -> steps.add(DunningJson.step(s)));
        ArrayNode upcoming = out.putArray("upcoming");
        for (Dunning.Upcoming u : state.upcoming()) {
            upcoming.addObject().put("step", u.step()).put("kind", u.kind()).put("due_at", u.dueAt().toString());
        }
        var suspension = engine.entitlements().suspension(r.tenant(), inv.customer());
        if (suspension.isPresent()) {
            out.set("customer_suspension", DunningJson.suspension(suspension.get(), engine.clock().instant()));
        } else {
            out.putNull("customer_suspension");
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    /**
     * The invoice list with {@code overdue=true} (only overdue invoices, most overdue first) or {@code overdue=false}
     * (the usual list without the overdue ones), combined with the other filters.
     */
    static List<Invoice> overdueFilter(Engine engine, Request r, Optional<InvoiceStatus> status,
            Optional<String> paymentStatus, int limit) {
        String v = r.param("overdue").orElseThrow();
        if (!v.equals("true") && !v.equals("false")) {
            throw HttpError.badRequest("overdue", "must be true or false");
        }
        Optional<PaymentStatus> ps = paymentStatus.map(s -> PaymentStatus.fromWireName(s).orElseThrow());
        if (v.equals("true")) {
            if (status.isPresent() && status.get() != InvoiceStatus.FINALIZED) {
                return List.of();
            }
            return engine.dunning().overdue(r.tenant(), r.param("customer"), ps, limit);
        }
        // not overdue: the usual listing, skipping the overdue ones (at most 10,000 read)
        return engine.billing().invoices(r.tenant(), r.param("customer"), status, paymentStatus, 10_000).stream()
                .filter(i -> !engine.dunning().isOverdue(i)).limit(limit).toList();
    }
}
