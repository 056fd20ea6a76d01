package dev.tally.core.billing.seat;

import dev.tally.core.billing.FeeTiming;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LicensedCharge;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.billing.BillingInterval;
import dev.tally.core.pricing.PriceModel;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/** Licensed charges and plans for the seat tests, and line sums. */
final class SeatFixtures {
    private SeatFixtures() {
    }

    static LicensedCharge seats(PriceModel price, LicensedCharge.Increase increase, LicensedCharge.Decrease decrease) {
        return new LicensedCharge("seats", "Seats", price, FeeTiming.IN_ADVANCE, Optional.empty(), increase, decrease);
    }

    static PricedCharge priced(String planKey, LicensedCharge charge) {
        return new PricedCharge(new Plan(planKey, 1, planKey, dev.tally.core.pricing.Fixtures.USD,
                BillingInterval.MONTHLY, List.of(charge), List.of(), 0), charge);
    }

    /** The sum of the lines' rounded amounts. */
    static BigDecimal rounded(List<InvoiceLine> lines) {
        return lines.stream().map(l -> l.amount().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** The sum of the lines' exact amounts (quantity × unit price, before rounding). */
    static BigDecimal exact(List<InvoiceLine> lines) {
        return lines.stream().map(l -> l.quantity().multiply(l.unitPrice())).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** November 2026 in UTC: 30 days. */
    static final Period NOV = new Period(java.time.Instant.parse("2026-11-01T00:00:00Z"),
            java.time.Instant.parse("2026-12-01T00:00:00Z"));
}
