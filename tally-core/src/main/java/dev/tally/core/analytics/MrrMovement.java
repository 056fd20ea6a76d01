package dev.tally.core.analytics;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Currency;
import java.util.Objects;
import java.util.Optional;

/**
 * A group's MRR in one month and how it moved from the month before. Guarantees (checked here):
 * {@code mrr = previousMrr + newMrr + expansion + reactivated - contraction - churned} exactly, every movement is
 * not negative, and {@code arr = 12 × mrr}. {@code netRevenueRetention} is the MRR kept from the customers that had
 * MRR the month before ({@code (previous + expansion - contraction - churned) / previous}, four decimals), empty
 * when there were none.
 */
public record MrrMovement(String group, Currency currency, YearMonth month, BigDecimal previousMrr, BigDecimal mrr,
        BigDecimal arr, BigDecimal newMrr, BigDecimal expansion, BigDecimal contraction, BigDecimal churned,
        BigDecimal reactivated, int customers, Optional<BigDecimal> netRevenueRetention) {
    public MrrMovement {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(month, "month");
        Objects.requireNonNull(netRevenueRetention, "netRevenueRetention");
        for (BigDecimal m : new BigDecimal[] {newMrr, expansion, contraction, churned, reactivated}) {
            if (m.signum() < 0) {
                throw new IllegalArgumentException("movements are not negative");
            }
        }
        BigDecimal expected = previousMrr.add(newMrr).add(expansion).add(reactivated).subtract(contraction)
                .subtract(churned);
        if (expected.compareTo(mrr) != 0) {
            throw new IllegalArgumentException("movements do not add up to the MRR");
        }
        if (arr.compareTo(mrr.multiply(BigDecimal.valueOf(12))) != 0) {
            throw new IllegalArgumentException("ARR is 12 x MRR");
        }
    }
}
