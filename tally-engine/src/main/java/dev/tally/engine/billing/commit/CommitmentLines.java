package dev.tally.engine.billing.commit;

import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Proration;
import dev.tally.core.commitment.MinimumTrueUp;
import dev.tally.core.commitment.PrepaidDrawdown;
import dev.tally.core.money.Money;
import dev.tally.engine.billing.Phase;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.Optional;

/**
 * The invoice lines of commitments, each naming its commitment (the line's charge key is the commitment's id, its
 * description starts with the commitment's name) and explainable on its own: quantity × unit price is the amount,
 * and the price snapshot is the commitment's terms. Line ids are placeholders: the composer numbers the lines.
 */
final class CommitmentLines {
    private CommitmentLines() {
    }

    static InvoiceLine fee(Commitment m, Phase phase) {
        return line(LineKind.COMMITMENT_FEE, m, m.name() + ": prepaid commitment for the term, invoiced up front",
                BigDecimal.ONE, m.amount().amount(), m.amount(), m.term(), phase);
    }

    static InvoiceLine trueUp(Commitment m, MinimumTrueUp t, Period billed, Period nominal, ZoneId zone, Phase phase) {
        long days = Proration.days(billed, zone);
        long of = Proration.days(nominal, zone);
        String prorated = days < of ? " (" + m.amount().plainString() + " prorated " + days + " of " + of + " days)" : "";
        return line(LineKind.COMMITMENT_TRUE_UP, m, m.name() + ": minimum " + t.minimum().plainString() + prorated
                + ", charges " + t.charges().plainString() + ", true-up to the minimum", BigDecimal.ONE,
                t.trueUp().amount(), t.trueUp(), billed, phase);
    }

    /** A late correction of an earlier period's true-up: an {@code adjustment} line naming that period. */
    static InvoiceLine trueUpCorrection(Commitment m, Period period, Money minimum, Money charges, Money diff,
            Phase phase) {
        return new InvoiceLine("commitment", LineKind.ADJUSTMENT, m.id(), m.name() + ": true-up recomputed after late "
                + "usage in " + period.start() + " - " + period.end() + " (minimum " + minimum.plainString()
                + ", charges now " + charges.plainString() + ")", BigDecimal.ONE, diff.amount(), diff, period,
                Optional.empty(), Optional.empty(), phase.plan(), phase.planVersion(),
                Optional.of(CommitmentJson.terms(m).toString()), 0, Optional.of(period));
    }

    static InvoiceLine drawdown(Commitment m, PrepaidDrawdown d, Phase phase) {
        return line(LineKind.COMMITMENT_DRAWDOWN, m, m.name() + ": paid from the prepaid commitment ("
                + d.remainingAfter().plainString() + " of " + m.amount().plainString() + " left)", BigDecimal.ONE,
                d.drawn().negate().amount(), d.drawn().negate(), m.term(), phase);
    }

    static InvoiceLine overage(Commitment m, PrepaidDrawdown d, Phase phase) {
        Money unpaid = (d.eligible().isNegative() ? Money.zero(d.eligible().currency()) : d.eligible()).minus(d.drawn());
        return line(LineKind.COMMITMENT_OVERAGE, m, m.name() + ": overage at " + m.overageRate().stripTrailingZeros()
                .toPlainString() + " × list price on " + unpaid.plainString() + " beyond the commitment",
                unpaid.amount(), m.overageRate().subtract(BigDecimal.ONE), d.overage(), m.term(), phase);
    }

    private static InvoiceLine line(LineKind kind, Commitment m, String description, BigDecimal quantity,
            BigDecimal unitPrice, Money amount, Period period, Phase phase) {
        return new InvoiceLine("commitment", kind, m.id(), description, quantity, unitPrice, amount, period,
                Optional.empty(), Optional.empty(), phase.plan(), phase.planVersion(),
                Optional.of(CommitmentJson.terms(m).toString()), 0, Optional.empty());
    }
}
