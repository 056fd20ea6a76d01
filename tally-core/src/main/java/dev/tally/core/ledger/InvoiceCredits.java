package dev.tally.core.ledger;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The arithmetic of credits on one invoice, applied after tax to the invoice's total (as Stripe's customer balance
 * and Lago's wallets are):
 * <ul>
 *   <li>a negative total is finalized at 0 due and its amount becomes a credit to the customer's balance;</li>
 *   <li>a positive total is paid by the usable grants in {@link Grant#DRAWDOWN_ORDER}, each at most its balance; a
 *       grant limited to some charges pays at most what is left of those charges' lines (their amounts before tax,
 *       negative lines netted, never below zero), and no grant pays more than what is left of the total;</li>
 *   <li>what is left is the amount due.</li>
 * </ul>
 * Pure and exact: every amount is already at the currency's minor unit, nothing is rounded.
 */
public final class InvoiceCredits {
    private InvoiceCredits() {
    }

    /** An invoice not issued yet (e.g. the current period's estimate): its total before credits and its charges. */
    public record Estimate(Money total, Map<String, Money> chargeAmounts) {
        public Estimate {
            Objects.requireNonNull(total, "total");
            chargeAmounts = Map.copyOf(chargeAmounts);
        }
    }

    /**
     * Applies credits to an invoice.
     *
     * @param total the invoice's total before credits (subtotal plus taxes)
     * @param chargeAmounts the sum of the invoice's line amounts per charge key (for grants limited to some charges)
     * @param usable the usable grants and their balances, in drawdown order (see {@link Wallet#usableAt})
     * @throws InvalidLedgerException if an amount is in another currency or not at the minor unit
     */
    public static CreditApplication apply(Money total, Map<String, Money> chargeAmounts, List<GrantBalance> usable) {
        Objects.requireNonNull(total, "total");
        Currency currency = total.currency();
        Money zero = Money.zero(currency);
        if (total.isNegative()) {
            return new CreditApplication(total, List.of(), total.negate(), zero);
        }
        Map<String, BigDecimal> leftByCharge = new TreeMap<>();
        chargeAmounts.forEach((charge, amount) -> {
            if (!amount.currency().equals(currency)) {
                throw new InvalidLedgerException("charges", "amounts must be in " + currency);
            }
            leftByCharge.put(charge, amount.amount().max(BigDecimal.ZERO));
        });
        BigDecimal left = total.amount();
        List<CreditApplication.Drawdown> drawdowns = new ArrayList<>();
        for (GrantBalance gb : usable) {
            if (left.signum() == 0) {
                break;
            }
            Grant g = gb.grant();
            if (!g.amount().currency().equals(currency)) {
                throw new InvalidLedgerException("currency", "grant " + g.id() + " is not in " + currency);
            }
            BigDecimal cap = left;
            if (!g.appliesToAllCharges()) {
                BigDecimal eligible = BigDecimal.ZERO;
                for (String c : g.charges()) {
                    eligible = eligible.add(leftByCharge.getOrDefault(c, BigDecimal.ZERO));
                }
                cap = cap.min(eligible);
            }
            BigDecimal take = cap.min(gb.balance().amount());
            if (take.signum() <= 0) {
                continue;
            }
            drawdowns.add(new CreditApplication.Drawdown(g, new Money(take, currency)));
            left = left.subtract(take);
            if (!g.appliesToAllCharges()) {
                BigDecimal rest = take;
                for (String c : g.charges()) {
                    BigDecimal there = leftByCharge.getOrDefault(c, BigDecimal.ZERO);
                    BigDecimal used = there.min(rest);
                    if (used.signum() > 0) {
                        leftByCharge.put(c, there.subtract(used));
                        rest = rest.subtract(used);
                    }
                }
            }
        }
        return new CreditApplication(total, drawdowns, zero, new Money(left, currency));
    }
}
