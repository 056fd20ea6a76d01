package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.CustomerJson;
import dev.tally.core.billing.Plan;
import dev.tally.core.billing.PlanJson;
import dev.tally.core.pricing.PricePreview;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingRunResult;
import dev.tally.engine.billing.ChargeEstimate;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceJson;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.billing.Phase;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.billing.UsageEstimate;
import dev.tally.engine.ingest.StoredEvent;
import dev.tally.server.documents.InvoiceDocuments;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Customers, plans, price preview, subscriptions, invoices, credit notes and billing runs. */
final class BillingApi {
    static final int MAX_BODY = 256 * 1024;
    /**
     * The Content-Security-Policy sent with the HTML invoice: nothing may load or run, only the document's
     * own inline styles apply, and no other site may frame it.
     */
    static final String INVOICE_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
            + " base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Engine engine;
    private final Billing billing;
    private final ObjectMapper mapper;
    private final EventsApi events;

    BillingApi(Engine engine, ObjectMapper mapper, EventsApi events) {
        this.engine = engine;
        this.billing = engine.billing();
        this.mapper = mapper;
        this.events = events;
    }

    private JsonNode body(Request r) throws IOException {
        return JsonBody.read(r, MAX_BODY);
    }

    // ---- customers

    void createCustomer(Request r) throws IOException {
        Customer c = billing.createCustomer(r.tenant(), body(r));
        Responses.json(r.exchange, 201, CustomersApi.write(billing.customerRecords().record(r.tenant(), c.externalId()),
                engine.clock().instant()), mapper);
    }

    void getCustomer(Request r) throws IOException {
        dev.tally.engine.billing.CustomerRecord rec = billing.customerRecords().record(r.tenant(), r.path("external_id"));
        ObjectNode o = CustomersApi.write(rec, engine.clock().instant());
        ArrayNode subs = o.putArray("subscriptions");
        billing.subscriptionsOf(r.tenant(), rec.customer().externalId()).forEach(s -> subs.add(subscription(s)));
        Responses.json(r.exchange, 200, o, mapper);
    }

    /** The customers matching {@code q} (in the external id or name); archived ones only with {@code archived=true}. */
    void listCustomers(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("customers");
        String q = r.param("q").orElse("").toLowerCase(java.util.Locale.ROOT);
        boolean archived = r.param("archived").map("true"::equals).orElse(false);
        java.time.Instant now = engine.clock().instant();
        for (dev.tally.engine.billing.CustomerRecord rec : billing.customerRecords().records(r.tenant())) {
            Customer c = rec.inForce(now);
            if (rec.archived() != archived) {
                continue;
            }
            if (q.isEmpty() || c.externalId().toLowerCase(java.util.Locale.ROOT).contains(q)
                    || c.name().toLowerCase(java.util.Locale.ROOT).contains(q)) {
                list.add(CustomersApi.write(rec, now));
            }
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void customerUsage(Request r) throws IOException {
        String id = r.path("external_id");
        List<UsageEstimate> estimates = billing.currentUsage(r.tenant(), id);
        Customer c = billing.customer(r.tenant(), id);
        ObjectNode out = mapper.createObjectNode();
        out.put("customer", id);
        out.put("currency", c.currency().getCurrencyCode());
        ArrayNode subs = out.putArray("subscriptions");
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        for (UsageEstimate e : estimates) {
            ObjectNode s = subs.addObject();
            s.put("subscription", e.subscription());
            s.put("plan", e.plan());
            s.put("period_start", e.period().start().toString());
            s.put("period_end", e.period().end().toString());
            s.put("timezone", e.timezone().getId());
            ArrayNode charges = s.putArray("charges");
            for (ChargeEstimate ch : e.charges()) {
                charges.add(chargeEstimate(ch));
            }
            s.put("subtotal", e.estimate().subtotal().amount().toPlainString());
            s.put("tax", e.estimate().taxTotal().amount().toPlainString());
            s.put("estimated_total", e.estimate().total().amount().toPlainString());
            s.put("already_invoiced", e.alreadyInvoiced().toPlainString());
            s.put("includes", e.alreadyInvoiced().signum() == 0
                    ? "usage so far and the fees of this period; nothing of it is invoiced yet"
                    : "usage so far and the fees of this period, including in-advance fees already invoiced ("
                            + e.alreadyInvoiced().toPlainString() + " " + c.currency().getCurrencyCode()
                            + " before tax); the rest is invoiced when the period closes");
            total = total.add(e.estimate().total().amount());
        }
        out.put("estimated_total", total.toPlainString());
        out.put("at", engine.clock().instant().toString());
        Responses.json(r.exchange, 200, out, mapper);
    }

    /** One charge of a live estimate: its figures as the invoice computes them, and its invoice lines. */
    static ObjectNode chargeEstimate(ChargeEstimate ch) {
        ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        o.put("charge", ch.charge());
        o.put("name", ch.name());
        ch.meter().ifPresentOrElse(m -> o.put("meter", m), () -> o.putNull("meter"));
        o.put("quantity", ch.quantity().toPlainString());
        o.put("included", ch.included().toPlainString());
        o.put("included_quantity", ch.included().toPlainString());
        o.put("included_quantity_full", ch.includedFull().toPlainString());
        o.put("billable", ch.billable().toPlainString());
        o.put("billable_quantity", ch.billable().toPlainString());
        ch.unitPrice().ifPresentOrElse(p -> o.put("unit_price", p.toPlainString()), () -> o.putNull("unit_price"));
        o.put("amount", ch.amount().toPlainString());
        ch.invoiced().ifPresentOrElse(i -> {
            ObjectNode on = o.putObject("invoiced");
            on.put("invoice", i.invoice());
            i.number().ifPresentOrElse(n -> on.put("number", n), () -> on.putNull("number"));
            on.put("status", i.status().wireName());
        }, () -> o.putNull("invoiced"));
        ArrayNode lines = o.putArray("lines");
        for (dev.tally.core.billing.InvoiceLine l : ch.lines()) {
            lines.addObject().put("id", l.lineId()).put("kind", l.kind().wireName()).put("description", l.description())
                    .put("quantity", l.quantity().toPlainString()).put("unit_price", l.unitPrice().toPlainString())
                    .put("amount", l.amount().amount().toPlainString())
                    .put("period_start", l.period().start().toString()).put("period_end", l.period().end().toString());
        }
        return o;
    }

    // ---- plans and prices

    void createPlan(Request r) throws IOException {
        Plan p = billing.createPlan(r.tenant(), body(r));
        Responses.json(r.exchange, 201, PlanJson.write(p), mapper);
    }

    void getPlan(Request r) throws IOException {
        List<Plan> versions = billing.planVersions(r.tenant(), r.path("key"));
        ObjectNode o = PlanJson.write(versions.get(versions.size() - 1));
        ArrayNode all = o.putArray("versions");
        versions.forEach(v -> all.add(v.version()));
        Responses.json(r.exchange, 200, o, mapper);
    }

    void listPlans(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("plans");
        for (String key : billing.planKeys(r.tenant())) {
            List<Plan> v = billing.planVersions(r.tenant(), key);
            list.add(PlanJson.write(v.get(v.size() - 1)));
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void preview(Request r) throws IOException {
        Responses.json(r.exchange, 200, PricePreview.preview(body(r)), mapper);
    }

    // ---- subscriptions

    ObjectNode subscription(Subscription s) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", s.id());
        o.put("customer", s.customer());
        o.put("status", s.status(engine.clock().instant()));
        o.put("plan", s.currentPhase().plan());
        o.put("plan_version", s.currentPhase().planVersion());
        o.put("billing", s.anchor().wireName());
        o.put("start", s.start().toString());
        s.trialEnd().ifPresentOrElse(t -> o.put("trial_end", t.toString()), () -> o.putNull("trial_end"));
        s.end().ifPresentOrElse(t -> o.put("end", t.toString()), () -> o.putNull("end"));
        ArrayNode phases = o.putArray("phases");
        for (Phase p : s.phases()) {
            ObjectNode ph = phases.addObject().put("plan", p.plan()).put("plan_version", p.planVersion())
                    .put("start", p.start().toString());
            p.end().ifPresentOrElse(e -> ph.put("end", e.toString()), () -> ph.putNull("end"));
        }
        if (s.nextBoundary().getEpochSecond() < 253_402_300_799L) {
            o.put("next_invoice_at", s.nextBoundary().toString());
        } else {
            o.putNull("next_invoice_at");
        }
        return o;
    }

    void subscribe(Request r) throws IOException {
        Responses.json(r.exchange, 201, subscription(billing.subscribe(r.tenant(), body(r))), mapper);
    }

    void listSubscriptions(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("subscriptions");
        Optional<String> plan = r.param("plan");
        List<String> customers = r.param("customer").map(List::of).orElseGet(() ->
                billing.customers(r.tenant()).stream().map(Customer::externalId).toList());
        for (String c : customers) {
            for (Subscription s : billing.subscriptionsOf(r.tenant(), c)) {
                if (plan.isEmpty() || plan.get().equals(s.currentPhase().plan())) {
                    list.add(subscription(s));
                }
            }
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void getSubscription(Request r) throws IOException {
        Responses.json(r.exchange, 200, subscription(billing.subscription(r.tenant(), r.path("id"))), mapper);
    }

    void changeSubscription(Request r) throws IOException {
        Responses.json(r.exchange, 200, subscription(billing.changePlan(r.tenant(), r.path("id"), body(r))), mapper);
    }

    void cancelSubscription(Request r) throws IOException {
        Responses.json(r.exchange, 200, subscription(billing.cancel(r.tenant(), r.path("id"), body(r))), mapper);
    }

    // ---- invoices

    void listInvoices(Request r) throws IOException {
        Optional<InvoiceStatus> status = r.param("status").map(s -> InvoiceStatus.fromWireName(s)
                .orElseThrow(() -> HttpError.badRequest("status", "must be draft, finalized, paid or void")));
        Optional<String> paymentStatus = r.param("payment_status").map(s -> dev.tally.engine.payment.PaymentStatus
                .fromWireName(s).orElseThrow(() -> HttpError.badRequest("payment_status", "must be pending, processing, "
                        + "succeeded, failed, partially_refunded, refunded or disputed")).wireName());
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("invoices");
        int limit = r.integer("limit", 1, 1000).orElse(100);
        List<Invoice> found = r.param("overdue").isPresent()
                ? DunningApi.overdueFilter(engine, r, status, paymentStatus, limit)
                : billing.invoices(r.tenant(), r.param("customer"), status, paymentStatus, limit);
        for (Invoice i : found) {
            list.add(withPayment(i));
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void getInvoice(Request r) throws IOException {
        Invoice inv = billing.invoice(r.tenant(), r.path("id"));
        ObjectNode json = withPayment(inv);
        String accept = r.header("Accept").orElse("application/json");
        if (accept.contains("application/pdf") || accept.contains("text/html")) {
            JsonNode customer = CustomerJson.write(billing.customer(r.tenant(), inv.customer()));
            JsonNode seller = TenantApi.seller(engine, r.tenant());
            if (accept.contains("application/pdf")) {
                r.exchange.getResponseHeaders().set("Content-Disposition",
                        "attachment; filename=\"" + inv.number().orElse(inv.id()) + ".pdf\"");
                Responses.send(r.exchange, 200, "application/pdf", InvoiceDocuments.pdf(json, customer, seller));
            } else {
                var headers = r.exchange.getResponseHeaders();
                headers.set("Content-Security-Policy", INVOICE_HTML_CSP);
                headers.set("Referrer-Policy", "no-referrer");
                headers.set("X-Frame-Options", "DENY");
                Responses.text(r.exchange, 200, "text/html; charset=utf-8", InvoiceDocuments.html(json, customer, seller));
            }
            return;
        }
        ArrayNode notes = json.putArray("credit_notes");
        billing.creditNotes(r.tenant(), inv.id()).forEach(notes::add);
        Responses.json(r.exchange, 200, json, mapper);
    }

    /** An invoice's JSON with its payment state (derived from its payment ledger). */
    private ObjectNode withPayment(Invoice i) {
        ObjectNode json = InvoiceJson.invoice(i);
        dev.tally.engine.payment.PaymentSummary summary = engine.payments().summary(i);
        dev.tally.engine.payment.PaymentJson.putState(json, summary);
        engine.dunning().describe(json, i, summary);
        return json;
    }

    void finalizeInvoice(Request r) throws IOException {
        Responses.json(r.exchange, 200, InvoiceJson.invoice(billing.finalizeInvoice(r.tenant(), r.path("id"))), mapper);
    }

    void voidInvoice(Request r) throws IOException {
        Responses.json(r.exchange, 200, InvoiceJson.invoice(billing.voidInvoice(r.tenant(), r.path("id"))), mapper);
    }

    void markPaid(Request r) throws IOException {
        Responses.json(r.exchange, 200, InvoiceJson.invoice(billing.markPaid(r.tenant(), r.path("id"))), mapper);
    }

    void lineEvents(Request r) throws IOException {
        long after = r.param("after").map(a -> {
            try {
                return Long.parseLong(a);
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("after", "must be a position this listing returned");
            }
        }).orElse(-1L);
        int limit = r.integer("limit", 1, 1000).orElse(100);
        List<StoredEvent> page = billing.lineEvents(r.tenant(), r.path("id"), r.path("line_id"), after, limit + 1);
        ObjectNode out = mapper.createObjectNode();
        out.put("invoice", r.path("id"));
        out.put("line", r.path("line_id"));
        ArrayNode list = out.putArray("events");
        page.stream().limit(limit).forEach(e -> list.add(events.write(e).put("position", e.position())));
        if (page.size() > limit) {
            out.put("next_after", page.get(limit - 1).position());
        } else {
            out.putNull("next_after");
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void createCreditNote(Request r) throws IOException {
        Responses.json(r.exchange, 201, billing.createCreditNote(r.tenant(), body(r)), mapper);
    }

    // ---- runs and settings

    void run(Request r) throws IOException {
        BillingRunResult res = billing.run(r.tenant());
        ObjectNode o = mapper.createObjectNode();
        o.put("at", res.at().toString());
        o.put("invoices_created", res.created());
        o.put("invoices_rerated", res.rerated());
        o.put("invoices_finalized", res.finalized());
        o.put("invoices_in_grace", res.inGrace());
        o.put("invoices_unchanged", res.unchanged());
        // the first names, kept for existing clients (refreshed also counts the drafts this run created)
        o.put("created", res.created());
        o.put("refreshed", res.refreshed());
        o.put("finalized", res.finalized());
        Responses.json(r.exchange, 200, o, mapper);
    }

    void getSettings(Request r) throws IOException {
        Responses.json(r.exchange, 200, mapper.createObjectNode()
                .put("grace_period_seconds", billing.gracePeriod(r.tenant()).toSeconds()), mapper);
    }

    void putSettings(Request r) throws IOException {
        JsonNode b = body(r);
        if (!b.path("grace_period_seconds").canConvertToLong()) {
            throw HttpError.badRequest("grace_period_seconds", "is required, in seconds");
        }
        billing.setGracePeriod(r.tenant(), Duration.ofSeconds(b.get("grace_period_seconds").asLong()));
        getSettings(r);
    }

}
