package dev.tally.server.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import com.stripe.model.InvoicePayment;
import com.stripe.net.Webhook;
import com.stripe.param.InvoicePaymentListParams;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.payment.FactKind;
import dev.tally.engine.payment.NewFact;
import dev.tally.engine.payment.PaymentConflictException;
import dev.tally.engine.payment.PaymentFact;
import dev.tally.engine.payment.PaymentProvider;
import dev.tally.engine.payment.Payments;
import dev.tally.engine.providers.ProviderStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Currency;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Turns verified Stripe webhooks into payment facts. Verification is stripe-java's {@link Webhook#constructEvent}
 * (HMAC-SHA256 of {@code t.payload}, tolerance {@value #TOLERANCE_SECONDS} s, on the injected clock). An event id is
 * applied once: the fact and the event id commit in one transaction, and a repeated event records nothing. The
 * mapping, by what Stripe sends (read from the raw JSON, so that any API version's shape is understood):
 * {@code invoice.paid} and {@code payment_intent.succeeded} are the same payment (reference: the Stripe invoice
 * id + {@code /paid}), {@code payment_intent.payment_failed} a failed attempt (reference: the event id),
 * {@code charge.refunded} the refund up to the charge's cumulative {@code amount_refunded} (reference: charge id and
 * that amount), {@code charge.dispute.created} a dispute (reference: the dispute id). Facts carry the event's time,
 * so the ledger's order rules (by time, not arrival) keep an older event from moving an invoice back.
 */
final class StripeEvents {
    static final long TOLERANCE_SECONDS = 300;
    private static final int MAX_REASON = 200;
    private static final String PROVIDER = StripeProvider.NAME;

    /** What became of a webhook: the event, what Tally did with it, and whether it had been applied before. */
    record Applied(String eventId, String type, String outcome, boolean duplicate) {
    }

    private record Target(String invoiceId, NewFact fact) {
    }

    private final Billing billing;
    private final Payments payments;
    private final ProviderStore store;
    private final PaymentProvider provider;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    StripeEvents(Billing billing, Payments payments, ProviderStore store, PaymentProvider provider, Clock clock) {
        this.billing = billing;
        this.payments = payments;
        this.store = store;
        this.provider = provider;
        this.clock = clock;
    }

    Applied apply(String tenant, String secret, String payload, Optional<String> signature,
            Supplier<StripeClient> stripe) {
        if (signature.isEmpty() || signature.get().isBlank()) {
            throw new StripeSignatureException("the Stripe-Signature header is missing");
        }
        try {
            Webhook.constructEvent(payload, signature.get(), secret, TOLERANCE_SECONDS, clock);
        } catch (SignatureVerificationException e) {
            throw new StripeSignatureException("the Stripe-Signature does not verify (wrong secret, altered body, or "
                    + "a timestamp more than " + TOLERANCE_SECONDS + " s from now)");
        } catch (RuntimeException e) {
            throw new StripeSignatureException("the body is not a Stripe event");
        }
        JsonNode event;
        try {
            event = json.readTree(payload);
        } catch (IOException e) {
            throw new StripeSignatureException("the body is not a Stripe event");
        }
        String id = event.path("id").asText("");
        String type = event.path("type").asText("");
        if (id.isEmpty() || type.isEmpty()) {
            throw new StripeSignatureException("the body is not a Stripe event");
        }
        Instant created = Instant.ofEpochSecond(event.path("created").asLong(clock.instant().getEpochSecond()));
        Instant occurred = created.isAfter(clock.instant()) ? clock.instant() : created;
        JsonNode obj = event.path("data").path("object");
        synchronized (locks.computeIfAbsent(tenant, t -> new Object())) {
            if (store.eventSeen(tenant, PROVIDER, id)) {
                return new Applied(id, type, "duplicate", true);
            }
            Optional<Target> target;
            try {
                target = map(tenant, id, type, obj, occurred, stripe);
            } catch (BillingNotFoundException e) {
                target = Optional.empty();
            }
            if (target.isEmpty()) {
                String outcome = "ignored";
                store.recordEvent(tenant, PROVIDER, id, type, outcome);
                return new Applied(id, type, outcome, false);
            }
            Target t = target.get();
            String[] outcome = new String[1];
            try {
                billing.inOneTransaction(() -> {
                    Payments.Recorded r = payments.record(provider, tenant, t.invoiceId(), t.fact());
                    outcome[0] = (r.created() ? "recorded " : "already recorded ") + r.fact().kind().wireName()
                            + " on " + t.invoiceId();
                    store.recordEvent(tenant, PROVIDER, id, type, outcome[0]);
                });
            } catch (PaymentConflictException e) {
                if ("refund-exceeds-amount-paid".equals(e.type())) {
                    // the payment it refunds has not arrived yet: let Stripe send it again later
                    throw new StripeUnavailableException("the refund's payment is not recorded yet; send it again later");
                }
                outcome[0] = "refused: " + e.type();
                store.recordEvent(tenant, PROVIDER, id, type, outcome[0]);
            }
            return new Applied(id, type, outcome[0], false);
        }
    }

    private Optional<Target> map(String tenant, String eventId, String type, JsonNode obj, Instant occurred,
            Supplier<StripeClient> stripe) {
        switch (type) {
            case "invoice.paid" -> {
                Optional<String> inv = resolve(tenant, obj, stripe);
                return inv.flatMap(i -> fact(tenant, i, obj, FactKind.SUCCEEDED, obj.path("amount_paid").asLong(),
                        obj.path("id").asText() + "/paid", "Stripe invoice " + obj.path("id").asText() + " paid",
                        paidAt(obj, occurred)));
            }
            case "payment_intent.succeeded" -> {
                Optional<String> inv = resolve(tenant, obj, stripe);
                if (inv.isPresent() && !obj.path("latest_charge").asText("").isEmpty()) {
                    store.rememberObject(tenant, PROVIDER, obj.path("latest_charge").asText(), inv.get());
                }
                return inv.flatMap(i -> {
                    String ref = store.job(tenant, PROVIDER, i).flatMap(j -> j.remoteId()).map(r -> r + "/paid")
                            .orElse(obj.path("id").asText());
                    return fact(tenant, i, obj, FactKind.SUCCEEDED, obj.path("amount_received").asLong(), ref,
                            "Stripe payment " + obj.path("id").asText() + " succeeded", occurred);
                });
            }
            case "payment_intent.payment_failed" -> {
                JsonNode err = obj.path("last_payment_error");
                String why = err.path("message").asText(err.path("decline_code").asText(err.path("code").asText("")));
                return resolve(tenant, obj, stripe).flatMap(i -> fact(tenant, i, obj, FactKind.FAILED, obj.path("amount").asLong(),
                        eventId, "Stripe payment failed" + (why.isEmpty() ? "" : ": " + why), occurred));
            }
            case "charge.refunded" -> {
                Optional<String> inv = resolve(tenant, obj, stripe);
                if (inv.isEmpty()) {
                    return Optional.empty();
                }
                String charge = obj.path("id").asText();
                store.rememberObject(tenant, PROVIDER, charge, inv.get());
                long cumulative = obj.path("amount_refunded").asLong();
                Invoice invoice = billing.invoice(tenant, inv.get());
                Currency cur = invoice.totals().currency();
                BigDecimal already = BigDecimal.ZERO;
                for (PaymentFact f : payments.facts(tenant, inv.get())) {
                    if (f.kind() == FactKind.REFUNDED && f.provider().equals(PROVIDER)
                            && f.reference().startsWith(charge + "/refunded/")) {
                        already = already.add(f.amount());
                    }
                }
                BigDecimal target = StripeAmounts.fromMinor(cumulative, cur);
                BigDecimal delta = target.subtract(already);
                if (delta.signum() <= 0) {
                    return Optional.empty();
                }
                return fact(tenant, inv.get(), obj, FactKind.REFUNDED, StripeAmounts.toMinor(delta, cur),
                        charge + "/refunded/" + cumulative, "Stripe refund of charge " + charge, occurred);
            }
            case "charge.dispute.created" -> {
                String reason = obj.path("reason").asText("");
                return resolve(tenant, obj, stripe).flatMap(i -> fact(tenant, i, obj, FactKind.DISPUTED, obj.path("amount").asLong(),
                        obj.path("id").asText(), "Stripe dispute" + (reason.isEmpty() ? "" : ": " + reason), occurred));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private static Instant paidAt(JsonNode invoice, Instant fallback) {
        long paid = invoice.path("status_transitions").path("paid_at").asLong(0);
        if (paid <= 0) {
            return fallback;
        }
        Instant at = Instant.ofEpochSecond(paid);
        return at.isAfter(fallback) ? fallback : at;
    }

    private Optional<Target> fact(String tenant, String invoiceId, JsonNode obj, FactKind kind, long minor, String reference,
            String reason, Instant occurred) {
        if (minor <= 0) {
            return Optional.empty();
        }
        Invoice invoice = billing.invoice(tenant, invoiceId);
        Currency cur = invoice.totals().currency();
        String stripeCurrency = obj.path("currency").asText("").toUpperCase(Locale.ROOT);
        if (!stripeCurrency.isEmpty() && !stripeCurrency.equals(cur.getCurrencyCode())) {
            return Optional.empty();
        }
        String why = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
        return Optional.of(new Target(invoiceId, new NewFact(kind, StripeAmounts.fromMinor(minor, cur),
                Optional.of(cur.getCurrencyCode()), reference, why, Optional.of(occurred))));
    }

    /**
     * The Tally invoice a Stripe object belongs to: its {@code tally_invoice_id} metadata; else a Stripe object
     * Tally knows (the invoice, its payment intent, a charge); else Stripe's record of which invoice a payment
     * intent pays ({@code GET /v1/invoice_payments}).
     */
    private Optional<String> resolve(String tenant, JsonNode obj, Supplier<StripeClient> stripe) {
        String meta = obj.path("metadata").path("tally_invoice_id").asText("");
        if (!meta.isEmpty()) {
            billing.invoice(tenant, meta);
            return Optional.of(meta);
        }
        for (String field : new String[] {"invoice", "id", "payment_intent", "charge"}) {
            String v = obj.path(field).isTextual() ? obj.path(field).asText() : "";
            if (!v.isEmpty()) {
                Optional<String> known = store.invoiceOf(tenant, PROVIDER, v);
                if (known.isPresent()) {
                    return known;
                }
            }
        }
        String pi = "payment_intent".equals(obj.path("object").asText()) ? obj.path("id").asText("")
                : obj.path("payment_intent").asText("");
        if (pi.isEmpty()) {
            return Optional.empty();
        }
        try {
            for (InvoicePayment p : stripe.get().v1().invoicePayments().list(InvoicePaymentListParams.builder()
                    .setPayment(InvoicePaymentListParams.Payment.builder()
                            .setType(InvoicePaymentListParams.Payment.Type.PAYMENT_INTENT).setPaymentIntent(pi).build())
                    .build()).getData()) {
                if (p.getInvoice() == null) {
                    continue;
                }
                Optional<String> known = store.invoiceOf(tenant, PROVIDER, p.getInvoice());
                if (known.isEmpty()) {
                    // a push that has not recorded the Stripe invoice's id yet: its metadata names the Tally invoice
                    com.stripe.model.Invoice si = stripe.get().v1().invoices().retrieve(p.getInvoice());
                    String tally = si.getMetadata() == null ? null : si.getMetadata().get("tally_invoice_id");
                    if (tally != null && tenant.equals(si.getMetadata().get("tally_tenant"))) {
                        billing.invoice(tenant, tally);
                        store.rememberObject(tenant, PROVIDER, p.getInvoice(), tally);
                        known = Optional.of(tally);
                    }
                }
                if (known.isPresent()) {
                    store.rememberObject(tenant, PROVIDER, pi, known.get());
                    return known;
                }
            }
        } catch (StripeException e) {
            throw new StripeUnavailableException("Stripe did not answer which invoice the payment is for");
        }
        return Optional.empty();
    }
}
