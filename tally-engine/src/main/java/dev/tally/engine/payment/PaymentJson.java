package dev.tally.engine.payment;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.billing.Invoice;

/** The JSON of payment facts and of an invoice's payment state (the API's and the webhooks' shape). */
public final class PaymentJson {
    private PaymentJson() {
    }

    public static ObjectNode fact(PaymentFact f) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", f.id());
        o.put("invoice", f.invoiceId());
        o.put("outcome", f.kind().wireName());
        o.put("amount", f.amount().toPlainString());
        o.put("currency", f.currency().getCurrencyCode());
        o.put("provider", f.provider());
        o.put("reference", f.reference());
        o.put("reason", f.reason());
        o.put("occurred_at", f.occurredAt().toString());
        o.put("recorded_at", f.recordedAt().toString());
        return o;
    }

    /** The payment fields that an invoice's JSON carries. */
    public static void putState(ObjectNode o, PaymentSummary s) {
        o.put("payment_status", s.status().wireName());
        o.put("amount_paid", s.amountPaid().toPlainString());
        o.put("amount_refunded", s.amountRefunded().toPlainString());
        o.put("amount_remaining", s.amountRemaining().toPlainString());
    }

    /** The data of a payment webhook: which invoice, and its payment state. */
    static ObjectNode summary(Invoice i, PaymentSummary s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("invoice", i.id());
        i.number().ifPresentOrElse(n -> o.put("number", n), () -> o.putNull("number"));
        o.put("customer", i.customer());
        o.put("currency", s.currency().getCurrencyCode());
        o.put("amount_due", s.total().toPlainString());
        putState(o, s);
        return o;
    }
}
