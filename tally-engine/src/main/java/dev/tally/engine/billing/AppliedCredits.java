package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.ledger.CreditApplication;
import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * The credits section of an invoice. Until it is finalized ({@code applied} false) no credit is drawn: the amount
 * due is the total (a negative total shows as 0 due and its amount as the credit it will carry to the balance).
 * From finalization on it is what the credit ledger did, fixed like the rest of the invoice: one line per grant that
 * paid (in drawdown order, naming the grant), the credit carried to the customer's balance by a negative total, and
 * the amount due. Guarantees: {@code amountDue >= 0}, {@code toBalance >= 0}, every line positive, one currency.
 */
public record AppliedCredits(boolean applied, List<Line> lines, Money toBalance, Money amountDue) {

    /** One grant paying part of the invoice. */
    public record Line(String grantId, String funding, String description, Money amount) {
        public Line {
            Objects.requireNonNull(grantId);
            Objects.requireNonNull(funding);
            Objects.requireNonNull(description);
            if (amount.amount().signum() <= 0) {
                throw new IllegalArgumentException("a credit line is positive, got " + amount);
            }
        }
    }

    public AppliedCredits {
        lines = List.copyOf(lines);
        if (amountDue.isNegative() || toBalance.isNegative()) {
            throw new IllegalArgumentException("the amount due and the credit to the balance are never negative");
        }
    }

    /** A draft's section: nothing drawn yet. */
    static AppliedCredits pending(Money total) {
        Money zero = Money.zero(total.currency());
        return total.isNegative() ? new AppliedCredits(false, List.of(), total.negate(), zero)
                : new AppliedCredits(false, List.of(), zero, total);
    }

    /**
     * The section of an invoice with no credits recorded: a draft's (pending), or one finalized before the credit
     * ledger existed (nothing drawn; a negative total shows as 0 due).
     */
    static AppliedCredits withoutLedger(Money total, boolean finalized) {
        AppliedCredits p = pending(total);
        return new AppliedCredits(finalized, p.lines(), p.toBalance(), p.amountDue());
    }

    /** What the ledger did at finalization. */
    static AppliedCredits of(CreditApplication app) {
        List<Line> lines = new ArrayList<>();
        for (CreditApplication.Drawdown d : app.drawdowns()) {
            lines.add(new Line(d.grant().id(), d.grant().funding().wireName(),
                    d.grant().reason().isBlank() ? "Credits" : d.grant().reason(), d.amount()));
        }
        return new AppliedCredits(true, lines, app.toBalance(), app.amountDue());
    }

    /** The sum of the credit lines. */
    public Money creditsApplied() {
        return Money.sum(amountDue.currency(), lines.stream().map(Line::amount).toList());
    }

    /** The stored (and API) form. */
    ObjectNode json() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("status", applied ? "applied" : "pending");
        var a = o.putArray("lines");
        for (Line l : lines) {
            a.addObject().put("grant", l.grantId()).put("funding", l.funding()).put("description", l.description())
                    .put("amount", l.amount().plainString());
        }
        o.put("credits_applied", creditsApplied().plainString());
        o.put("credit_to_balance", toBalance.plainString());
        o.put("amount_due", amountDue.plainString());
        return o;
    }

    static AppliedCredits read(JsonNode o, Currency currency) {
        List<Line> lines = new ArrayList<>();
        o.get("lines").forEach(l -> lines.add(new Line(l.get("grant").asText(), l.get("funding").asText(),
                l.get("description").asText(), new Money(new BigDecimal(l.get("amount").asText()), currency))));
        return new AppliedCredits(true, lines, new Money(new BigDecimal(o.get("credit_to_balance").asText()), currency),
                new Money(new BigDecimal(o.get("amount_due").asText()), currency));
    }
}
