package dev.tally.core.ledger;

import dev.tally.core.money.Money;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * What a recurring grant leaves to the next period at a period boundary: {@link None} (everything left expires),
 * {@link All} (nothing expires) or {@link UpTo} a cap (what is left beyond the cap expires). {@link #expiring} is the
 * whole rule: given what each earlier grant of the rule still holds, oldest first, it says how much each must lose,
 * taking the excess from the oldest grant first. Guarantees (property tested): every loss is between zero and its
 * grant's balance; what is kept is exactly {@code min(total, cap)} (0 for none, the total for all); losses plus what
 * is kept equal the total to the cent.
 */
public sealed interface Rollover {

    /** The API spelling of the kind: {@code none}, {@code all} or {@code up_to}. */
    String wireName();

    /** What is kept of {@code total}. */
    Money kept(Money total);

    /**
     * How much each balance (earlier grants of the rule, oldest first, none negative, all in {@code currency})
     * loses at the boundary: a list of the same size, in the same order.
     */
    default List<Money> expiring(Currency currency, List<Money> balances) {
        Objects.requireNonNull(balances, "balances");
        Money total = Money.zero(currency);
        for (Money b : balances) {
            if (b.isNegative() || !b.currency().equals(currency)) {
                throw new InvalidLedgerException("balances", "must be non-negative amounts in " + currency);
            }
            total = total.plus(b);
        }
        Money excess = total.minus(kept(total));
        List<Money> out = new ArrayList<>(balances.size());
        for (Money b : balances) {
            Money take = b.amount().compareTo(excess.amount()) <= 0 ? b : excess;
            out.add(take);
            excess = excess.minus(take);
        }
        return List.copyOf(out);
    }

    /** Everything left expires at the boundary. */
    record None() implements Rollover {
        @Override
        public String wireName() {
            return "none";
        }

        @Override
        public Money kept(Money total) {
            return Money.zero(total.currency());
        }
    }

    /** Everything left rolls over (until the grant's own expiry, if any). */
    record All() implements Rollover {
        @Override
        public String wireName() {
            return "all";
        }

        @Override
        public Money kept(Money total) {
            return total;
        }
    }

    /** At most {@code cap} (not negative, at the currency's minor unit) rolls over; the rest expires. */
    record UpTo(Money cap) implements Rollover {
        public UpTo {
            Objects.requireNonNull(cap, "cap");
            if (cap.isNegative() || !cap.isRounded()) {
                throw new InvalidLedgerException("rollover.up_to", "must not be negative and be in the minor unit of "
                        + cap.currency().getCurrencyCode() + ", got " + cap.plainString());
            }
        }

        @Override
        public String wireName() {
            return "up_to";
        }

        @Override
        public Money kept(Money total) {
            return total.amount().compareTo(cap.amount()) <= 0 ? total : cap;
        }
    }
}
