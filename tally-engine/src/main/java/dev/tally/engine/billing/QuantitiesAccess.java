package dev.tally.engine.billing;

import dev.tally.core.billing.Plan;
import dev.tally.engine.billing.seats.SubscriptionQuantities;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** What the subscription quantities (seats) read from billing: subscriptions, plans, closed invoices, the run lock. */
final class QuantitiesAccess implements SubscriptionQuantities.Access {
    private final Billing billing;
    private final BillingStore store;
    private final Function<String, Object> lock;

    QuantitiesAccess(Billing billing, BillingStore store, Function<String, Object> lock) {
        this.billing = billing;
        this.store = store;
        this.lock = lock;
    }

    @Override
    public Subscription subscription(String tenant, String id) {
        return billing.subscription(tenant, id);
    }

    @Override
    public Plan plan(String tenant, Phase phase) {
        return billing.plan(tenant, phase);
    }

    @Override
    public Optional<Instant> lastClosedBoundary(String tenant, String subscriptionId) {
        return store.invoicesOfSubscription(tenant, subscriptionId).stream()
                .filter(i -> i.status() != InvoiceStatus.DRAFT).map(Invoice::boundary).max(Comparator.naturalOrder());
    }

    @Override
    public <T> T locked(String tenant, Supplier<T> work) {
        synchronized (lock.apply(tenant)) {
            return store.db().withLock("tally-billing-run:" + tenant, work);
        }
    }
}
