package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.LA;
import static dev.tally.core.billing.BillingFixtures.NOVEMBER;
import static dev.tally.core.billing.BillingFixtures.USD;
import static dev.tally.core.billing.BillingFixtures.plan;
import static dev.tally.core.billing.BillingFixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.money.RoundingRule;
import dev.tally.core.pricing.ChargePricing;
import dev.tally.core.pricing.UnitPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * {@link InvoiceCalculator#includedQuantity} is the allowance the invoice subtracts: for a charge priced per unit and
 * a segment starting on any day of the month, (quantity − included) × unit price, rounded once, is exactly the
 * invoice's usage amount, so the live estimate's figures multiply out to the invoice's.
 */
class IncludedQuantityPropertiesTest {

    @Property(tries = 300)
    void billableTimesUnitPriceIsTheInvoicesAmountForAnyStartDay(@ForAll @IntRange(min = 0, max = 29) int startDay,
            @ForAll @LongRange(min = 0, max = 5_000_000) long quantity, @ForAll @IntRange(min = 1, max = 99_999) int priceMillis,
            @ForAll @IntRange(min = 0, max = 100_000) int included) {
        BigDecimal unitPrice = BigDecimal.valueOf(priceMillis, 5);
        UsageCharge tokens = usage("tokens", ChargePricing.of(new UnitPrice(unitPrice))
                .withIncludedQuantity(BigDecimal.valueOf(included)));
        Plan p = plan("p", USD, tokens);
        Period part = new Period(NOVEMBER.start().plus(Duration.ofDays(startDay)), NOVEMBER.end());
        Segment segment = new Segment(p, part, NOVEMBER,
                List.of(ChargeUsage.quantity(tokens, BigDecimal.valueOf(quantity), 10, 1)));

        BigDecimal allowance = InvoiceCalculator.includedQuantity(tokens, segment, LA);
        BigDecimal billable = BigDecimal.valueOf(quantity).subtract(allowance).max(BigDecimal.ZERO);
        BigDecimal invoiced = InvoiceCalculator.lines(List.of(segment), USD, LA).stream()
                .map(l -> l.amount().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);

        assertThat(RoundingRule.round(billable.multiply(unitPrice), USD)).isEqualByComparingTo(invoiced);
        assertThat(allowance).isLessThanOrEqualTo(BigDecimal.valueOf(included));
        if (startDay == 0) {
            assertThat(allowance).as("a whole period gets the whole allowance").isEqualByComparingTo(BigDecimal.valueOf(included));
        }
    }
}
