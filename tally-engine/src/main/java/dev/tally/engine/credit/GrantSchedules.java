package dev.tally.engine.credit;

import dev.tally.core.billing.CreditGrantRule;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where recurring credit grants are due: billing tells the ledger, for each subscription whose plan carries
 * {@link CreditGrantRule}s, its period boundaries up to now (the start, each period start, and its end once it ended),
 * with the rules of the plan in force for the period that starts there. {@link RecurringGrants} writes what is due.
 */
public interface GrantSchedules {

    /**
     * The schedules of a tenant's subscriptions with credit grant rules that have a boundary at or before
     * {@code now} and after the last one done ({@code done}, by subscription id; none done when absent): their
     * boundaries after the last one done.
     */
    List<Schedule> schedules(String tenant, Instant now, java.util.Map<String, Instant> done);

    /** One subscription's boundaries in time order, in the currency of its plans. */
    record Schedule(String subscriptionId, String customer, Currency currency, List<Boundary> boundaries) {
        public Schedule {
            Objects.requireNonNull(subscriptionId);
            Objects.requireNonNull(customer);
            Objects.requireNonNull(currency);
            boundaries = List.copyOf(boundaries);
        }
    }

    /**
     * A boundary at {@code at}: the period starting there ends at {@code periodEnd} and the next one at
     * {@code nextPeriodEnd} (both empty at the subscription's end: no period starts there); {@code rules} are the
     * credit grants of the plan in force for that period (empty at the end); {@code invoiced} says the subscription's
     * invoices up to this boundary are no longer drafts (credits of the period before could still be drawn by a draft,
     * so its rollover and the new grants wait until it is finalized).
     */
    record Boundary(Instant at, Optional<Instant> periodEnd, Optional<Instant> nextPeriodEnd,
            List<CreditGrantRule> rules, boolean invoiced) {
        public Boundary {
            Objects.requireNonNull(at);
            Objects.requireNonNull(periodEnd);
            Objects.requireNonNull(nextPeriodEnd);
            rules = List.copyOf(rules);
        }
    }

    /** No subscription has credit grant rules. */
    GrantSchedules NONE = (tenant, now, done) -> List.of();
}
