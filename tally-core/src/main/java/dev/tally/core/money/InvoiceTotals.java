package dev.tally.core.money;

import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * The arithmetic of an invoice's totals, consistent by construction: every line and every tax is
 * rounded to the currency's minor unit; {@code subtotal} is exactly the sum of the rounded lines;
 * each tax is {@code subtotal × percent / 100} rounded once per rate (tax is computed on the subtotal,
 * not per line); {@code total} is exactly {@code subtotal} plus the rounded taxes. No sum is ever
 * rounded again, so what the customer adds up on paper is what they are charged.
 */
public record InvoiceTotals(Currency currency, List<Money> lines, Money subtotal, List<TaxLine> taxes, Money total) {

    /** Validates that the record is internally consistent (see the type's guarantees). */
    public InvoiceTotals {
        Objects.requireNonNull(currency, "currency");
        lines = List.copyOf(lines);
        taxes = List.copyOf(taxes);
        Objects.requireNonNull(subtotal, "subtotal");
        Objects.requireNonNull(total, "total");
        for (int i = 0; i < lines.size(); i++) {
            requireRounded("lines[" + i + "]", lines.get(i), currency);
        }
        for (int i = 0; i < taxes.size(); i++) {
            requireRounded("taxes[" + i + "]", taxes.get(i).amount(), currency);
        }
        if (!subtotal.equals(Money.sum(currency, lines))) {
            throw new InvalidMoneyException("subtotal " + subtotal + " is not the sum of the lines");
        }
        Money expectedTotal = subtotal;
        for (TaxLine tax : taxes) {
            expectedTotal = expectedTotal.plus(tax.amount());
        }
        if (!total.equals(expectedTotal)) {
            throw new InvalidMoneyException("total " + total + " is not subtotal plus taxes");
        }
    }

    /**
     * Computes the totals of rounded invoice lines (round each line once with {@link Money#rounded()}
     * first) under the given tax rates: one tax line per rate, in the order given.
     *
     * @throws InvalidMoneyException if a line is not rounded to the currency's minor unit
     * @throws CurrencyMismatchException if a line is in another currency
     */
    public static InvoiceTotals of(Currency currency, List<Money> roundedLines, List<TaxRate> taxRates) {
        Objects.requireNonNull(currency, "currency");
        List<Money> lines = List.copyOf(roundedLines);
        for (int i = 0; i < lines.size(); i++) {
            requireRounded("lines[" + i + "]", lines.get(i), currency);
        }
        Money subtotal = atScale(Money.sum(currency, lines));
        List<TaxLine> taxes = new ArrayList<>();
        Money total = subtotal;
        for (TaxRate rate : List.copyOf(taxRates)) {
            TaxLine tax = new TaxLine(rate, rate.taxOn(subtotal));
            taxes.add(tax);
            total = total.plus(tax.amount());
        }
        return new InvoiceTotals(currency, lines, subtotal, taxes, atScale(total));
    }

    /** The sum of the rounded tax lines (zero if there are none). */
    public Money taxTotal() {
        return atScale(Money.sum(currency, taxes.stream().map(TaxLine::amount).toList()));
    }

    private static Money atScale(Money rounded) {
        return new Money(RoundingRule.atMinorUnitScale(rounded.amount(), rounded.currency()), rounded.currency());
    }

    private static void requireRounded(String what, Money m, Currency currency) {
        Objects.requireNonNull(m, what);
        if (!m.currency().equals(currency)) {
            throw new CurrencyMismatchException(currency, m.currency());
        }
        if (!m.isRounded()) {
            throw new InvalidMoneyException(what + " is not rounded to the minor unit of "
                    + currency.getCurrencyCode() + ": " + m.plainString() + " (round each line once with Money.rounded())");
        }
    }
}
