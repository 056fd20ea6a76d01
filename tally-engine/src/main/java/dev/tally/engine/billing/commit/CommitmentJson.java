package dev.tally.engine.billing.commit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.ledger.EntryKind;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import java.time.Instant;
import java.util.Optional;

/** Commitments in the API's JSON: the terms, and for a prepaid one what is left of it and its ledger. */
public final class CommitmentJson {
    private CommitmentJson() {
    }

    /** The terms of a commitment (also the price snapshot of its invoice lines). */
    static ObjectNode terms(Commitment m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", m.id());
        o.put("type", m.type().wireName());
        o.put("name", m.name());
        o.put("amount", m.amount().plainString());
        o.put("currency", m.amount().currency().getCurrencyCode());
        o.put("starts_at", m.startsAt().toString());
        if (m.endsAt().isPresent()) {
            o.put("ends_at", m.endsAt().get().toString());
        } else {
            o.putNull("ends_at");
        }
        if (m.type() == Commitment.Type.PREPAID) {
            o.put("overage_rate", m.overageRate().toPlainString());
            o.put("at_term_end", m.atTermEnd().wireName());
            o.put("invoicing", m.invoicedAt().isPresent() ? "up_front" : "rolled_over");
        }
        return o;
    }

    /**
     * A commitment as {@code GET /v1/subscriptions/{id}/commitments} shows it: its terms, subscription and customer,
     * and for a prepaid one {@code balance} (what is left: the sum of its entries), {@code drawn} (drawdowns net of
     * reversals), {@code ended} (forfeited or rolled over at the end of the term), {@code state} and its entries.
     */
    public static ObjectNode write(Commitment m, Optional<Wallet> ledger, Instant now) {
        ObjectNode o = terms(m);
        o.put("subscription", m.subscription());
        o.put("customer", m.customer());
        m.invoicedAt().ifPresent(t -> o.put("invoiced_at", t.toString()));
        m.rolledFrom().ifPresent(r -> o.put("rolled_from", r));
        o.put("created_at", m.createdAt().toString());
        if (ledger.isPresent()) {
            Wallet w = ledger.get();
            Money zero = Money.zero(m.amount().currency());
            Money drawn = zero;
            Money ended = zero;
            for (LedgerEntry e : w.entries()) {
                if (e.kind() == EntryKind.DRAWDOWN || e.kind() == EntryKind.REVERSAL) {
                    drawn = drawn.minus(e.amount());
                } else if (e.kind() == EntryKind.EXPIRY) {
                    ended = ended.minus(e.amount());
                }
            }
            Money balance = w.balanceOf(m.id());
            o.put("balance", balance.rounded().plainString());
            o.put("drawn", drawn.rounded().plainString());
            o.put("ended", ended.rounded().plainString());
            String state = now.isBefore(m.startsAt()) ? "pending"
                    : m.endsAt().filter(e -> !now.isBefore(e)).isPresent() ? "ended"
                    : balance.isZero() ? "exhausted" : "active";
            o.put("state", state);
            ArrayNode entries = o.putArray("entries");
            for (LedgerEntry e : w.entries()) {
                ObjectNode x = entries.addObject();
                x.put("id", e.id());
                x.put("sequence", e.sequence());
                x.put("kind", e.kind().wireName());
                x.put("amount", e.amount().plainString());
                x.put("at", e.at().toString());
                x.put("reason", e.reason());
                x.put("source", e.source());
                if (e.invoiceId().isPresent()) {
                    x.put("invoice", e.invoiceId().get());
                } else {
                    x.putNull("invoice");
                }
                e.reverses().ifPresent(r -> x.put("reverses", r));
            }
        } else {
            o.put("state", now.isBefore(m.startsAt()) ? "pending"
                    : m.endsAt().filter(e -> !now.isBefore(e)).isPresent() ? "ended" : "active");
        }
        return o;
    }
}
