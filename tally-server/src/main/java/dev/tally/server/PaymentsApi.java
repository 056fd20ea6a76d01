package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.payment.ManualProvider;
import dev.tally.engine.payment.PaymentJson;
import dev.tally.engine.payment.Payments;
import java.io.IOException;

/**
 * {@code POST /v1/invoices/{id}/payments} (record a manual payment fact: 201 when new, 200 when the reference was
 * already recorded with the same content) and {@code GET /v1/invoices/{id}/payments} (the ledger and the state it
 * implies).
 */
final class PaymentsApi {
    private static final int MAX_BODY = 16 * 1024;
    private final Engine engine;
    private final Payments payments;
    private final ManualProvider manual = new ManualProvider();
    private final ObjectMapper mapper;

    PaymentsApi(Engine engine, ObjectMapper mapper) {
        this.engine = engine;
        this.payments = engine.payments();
        this.mapper = mapper;
    }

    void record(Request r) throws IOException {
        Payments.Recorded rec = payments.record(manual, r.tenant(), r.path("id"), manual.read(JsonBody.read(r, MAX_BODY)));
        ObjectNode out = PaymentJson.fact(rec.fact());
        ObjectNode state = out.putObject("invoice_payment");
        PaymentJson.putState(state, rec.summary());
        Responses.json(r.exchange, rec.created() ? 201 : 200, out, mapper);
    }

    void list(Request r) throws IOException {
        Invoice inv = engine.billing().invoice(r.tenant(), r.path("id"));
        ObjectNode out = mapper.createObjectNode();
        out.put("invoice", inv.id());
        out.put("currency", inv.totals().currency().getCurrencyCode());
        out.put("amount_due", inv.amountDue().amount().toPlainString());
        PaymentJson.putState(out, payments.summary(inv));
        ArrayNode list = out.putArray("payments");
        payments.facts(r.tenant(), inv.id()).forEach(f -> list.add(PaymentJson.fact(f)));
        Responses.json(r.exchange, 200, out, mapper);
    }
}
