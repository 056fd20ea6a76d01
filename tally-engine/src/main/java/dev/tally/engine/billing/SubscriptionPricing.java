package dev.tally.engine.billing;

import dev.tally.core.billing.Customer;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.discount.PricedPart;
import java.time.Instant;
import java.util.List;

/**
 * What a subscription's own terms do to its plan's prices when its invoices are composed: its price overrides (the
 * parts a segment is rated in, and the plan as priced at an instant) and its discounts (the discount lines of an
 * invoice, after every charge). {@link #NONE} is the plan's list price. Implemented by
 * {@link dev.tally.engine.discount.Discounts}.
 */
public interface SubscriptionPricing {
    /** The plan's prices, unchanged, and no discounts. */
    SubscriptionPricing NONE = new SubscriptionPricing() {
        @Override
        public List<PricedPart> parts(Subscription s, Plan plan, Period segment) {
            return dev.tally.core.discount.OverrideSchedule.none().parts(plan, segment);
        }

        @Override
        public PricedPart at(Subscription s, Plan plan, Period period, Instant t) {
            return dev.tally.core.discount.OverrideSchedule.none().at(plan, period, t);
        }

        @Override
        public List<InvoiceLine> discounts(Subscription s, Customer c, Period period, Instant boundary,
                List<InvoiceLine> lines) {
            return List.of();
        }
    };

    /** The parts a segment of {@code plan} is rated in, each under the override versions in force over it. */
    List<PricedPart> parts(Subscription s, Plan plan, Period segment);

    /** {@code plan} under the override versions in force at {@code t} (in-advance fees, billed at an instant). */
    PricedPart at(Subscription s, Plan plan, Period period, Instant t);

    /** The discount lines of the invoice at {@code boundary} for {@code period}, given its other lines. */
    List<InvoiceLine> discounts(Subscription s, Customer c, Period period, Instant boundary, List<InvoiceLine> lines);
}
