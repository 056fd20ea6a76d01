package dev.tally.core.pricing;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * The result of rating: the lines and their exact, unrounded total. Guarantees
 * {@code amount == sum of the lines' amounts} exactly. For an invoice, round each line once with
 * {@link #roundedLines(Currency)}; {@link #roundedTotal(Currency)} is the sum of those rounded lines, so
 * lines and total always add up.
 */
public record Rating(List<RatedLine> lines, BigDecimal amount) {

    /** Validates: the amount is exactly the sum of the lines; the list is copied and unmodifiable. */
    public Rating {
        lines = List.copyOf(lines);
        Objects.requireNonNull(amount, "amount");
        BigDecimal sum = lines.stream().map(RatedLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        if (sum.compareTo(amount) != 0) {
            throw new IllegalArgumentException(
                    "amount " + amount.toPlainString() + " is not the sum of the lines " + sum.toPlainString());
        }
    }

    /** A rating of the given lines; the amount is their exact sum (zero without lines). */
    public static Rating of(List<RatedLine> lines) {
        BigDecimal sum = lines.stream().map(RatedLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new Rating(lines, sum);
    }

    /** Each line's amount rounded once by the rounding rule, in line order. */
    public List<Money> roundedLines(Currency currency) {
        return lines.stream().map(l -> new Money(l.amount(), currency).rounded()).toList();
    }

    /** The sum of the rounded lines: what an invoice of these lines totals. Never rounded again. */
    public Money roundedTotal(Currency currency) {
        return Money.sum(currency, roundedLines(currency));
    }
}
