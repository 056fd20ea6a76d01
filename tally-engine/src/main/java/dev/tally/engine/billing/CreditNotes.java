package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.money.Money;
import dev.tally.core.money.RoundingRule;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.credit.Credits;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Credit notes against finalized (or paid) invoices, whole or by line: a line is credited at most its amount
 * (after its charge's discounts) over all credit notes, and tax follows the credited lines.
 */
final class CreditNotes {
    private final BillingStore store;
    private final CreditNoteStore notes;
    private final Credits credits;
    private final Function<String, Object> lock;
    private final Clock clock;

    /** @param lock the tenant's billing lock (credit notes are serialized with runs and finalization) */
    CreditNotes(BillingStore store, Credits credits, Function<String, Object> lock, Clock clock) {
        this.store = store;
        this.notes = new CreditNoteStore(store.db());
        this.credits = credits;
        this.lock = lock;
        this.clock = clock;
    }

    private static Instant now(Clock clock) {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    /**
     * Credits a finalized (or paid) invoice, whole or by line. A line can be credited at most its amount over
     * all credit notes. Returns the stored credit note.
     */
    JsonNode create(String tenant, JsonNode body) {
        synchronized (lock.apply(tenant)) {
            String invoiceId = text(body, "invoice").orElseThrow(() -> new ValidationException("invoice", "is required"));
            String refundTo = text(body, "refund").orElse("money");
            if (!refundTo.equals("money") && !refundTo.equals("wallet")) {
                throw new ValidationException("refund", "must be \"money\" or \"wallet\"");
            }
            boolean toWallet = refundTo.equals("wallet");
            Invoice inv = store.invoice(tenant, invoiceId).orElseThrow(() ->
                    new BillingNotFoundException("no invoice '" + invoiceId + "'"));
            if (inv.status() != InvoiceStatus.FINALIZED && inv.status() != InvoiceStatus.PAID) {
                throw new BillingConflictException("credit notes apply to finalized or paid invoices; this one is "
                        + inv.status().wireName());
            }
            // a discounted line can give back only what it cost after its charge's discounts
            Map<String, BigDecimal> creditable = dev.tally.core.discount.DiscountCalculator.creditable(inv.lines());
            Map<String, BigDecimal> already = new HashMap<>();
            Map<String, BigDecimal> taxAlready = new HashMap<>();
            for (JsonNode cn : notes.creditNotes(tenant, invoiceId)) {
                cn.get("lines").forEach(l -> already.merge(l.get("line_id").asText(),
                        new BigDecimal(l.get("amount").asText()), BigDecimal::add));
                cn.path("taxes").forEach(t -> taxAlready.merge(t.get("name").asText(),
                        new BigDecimal(t.get("amount").asText()), BigDecimal::add));
            }
            ArrayNode lines = JsonNodeFactory.instance.arrayNode();
            BigDecimal total = BigDecimal.ZERO;
            List<JsonNode> requested = new ArrayList<>();
            if (body.path("lines").isArray() && !body.get("lines").isEmpty()) {
                body.get("lines").forEach(requested::add);
            } else {
                for (InvoiceLine l : inv.lines()) {
                    BigDecimal left = creditable.get(l.lineId()).subtract(already.getOrDefault(l.lineId(), BigDecimal.ZERO));
                    if (left.signum() > 0) {
                        requested.add(JsonNodeFactory.instance.objectNode().put("line_id", l.lineId()));
                    }
                }
            }
            for (int i = 0; i < requested.size(); i++) {
                JsonNode r = requested.get(i);
                String lineId = r.path("line_id").asText("");
                InvoiceLine l = inv.line(lineId).orElseThrow(() -> new ValidationException("lines", "no line '" + lineId + "'"));
                BigDecimal left = creditable.get(lineId).subtract(already.getOrDefault(lineId, BigDecimal.ZERO));
                BigDecimal amount;
                try {
                    amount = r.hasNonNull("amount") ? DecimalInput.of(r.get("amount"), DecimalInput.AMOUNTS) : left;
                } catch (InvalidInputException e) {
                    throw new ValidationException("lines[" + i + "].amount", e.problem());
                }
                if (amount.signum() <= 0 || amount.compareTo(left) > 0
                        || !RoundingRule.isRounded(amount, inv.totals().currency())) {
                    throw new ValidationException("lines[" + i + "].amount", "must be positive, in the currency's "
                            + "minor unit, and at most what is left to credit on the line (" + left.toPlainString() + ")");
                }
                lines.addObject().put("line_id", lineId).put("amount", amount.toPlainString());
                total = total.add(amount);
            }
            if (lines.isEmpty()) {
                throw new BillingConflictException("nothing is left to credit on this invoice");
            }
            // tax follows the credited lines: each rate on the credited subtotal, never more than the invoice's tax
            // of that rate still uncredited, and exactly that when the note leaves nothing of the lines to credit
            boolean creditsEverything = inv.lines().stream().allMatch(l -> {
                BigDecimal credited = already.getOrDefault(l.lineId(), BigDecimal.ZERO);
                for (JsonNode n : lines) {
                    if (n.get("line_id").asText().equals(l.lineId())) {
                        credited = credited.add(new BigDecimal(n.get("amount").asText()));
                    }
                }
                BigDecimal own = creditable.get(l.lineId());
                return own.signum() <= 0 || credited.compareTo(own) >= 0;
            });
            ArrayNode taxes = JsonNodeFactory.instance.arrayNode();
            BigDecimal subtotal = total;
            for (dev.tally.core.money.TaxLine t : inv.totals().taxes()) {
                BigDecimal left = t.amount().amount().subtract(taxAlready.getOrDefault(t.rate().name(), BigDecimal.ZERO));
                BigDecimal tax = creditsEverything ? left : t.rate().taxOn(new Money(subtotal, inv.totals().currency()))
                        .amount().min(left);
                if (tax.signum() > 0) {
                    taxes.addObject().put("name", t.rate().name()).put("percent", t.rate().percent().toPlainString())
                            .put("amount", tax.toPlainString());
                    total = total.add(tax);
                }
            }
            String id = "cn_" + UUID.randomUUID().toString().replace("-", "");
            ObjectNode stored = JsonNodeFactory.instance.objectNode();
            stored.set("lines", lines);
            stored.put("subtotal", subtotal.toPlainString());
            stored.set("taxes", taxes);
            stored.put("refund", toWallet ? "wallet" : "money");
            String reason = text(body, "reason").orElse("");
            Money refund = new Money(total, inv.totals().currency());
            store.db().inTransaction(c -> {
                String number = notes.insertCreditNote(tenant, id, invoiceId, reason, refund, stored, now(clock));
                if (toWallet) {
                    credits.refundCreditNote(tenant, inv.customer(), id, number, refund);
                }
                return null;
            });
            return notes.creditNotes(tenant, invoiceId).stream().filter(n -> n.get("id").asText().equals(id))
                    .findFirst().orElseThrow();
        }
    }

    List<JsonNode> of(String tenant, String invoiceId) {
        return notes.creditNotes(tenant, invoiceId);
    }
}
