package dev.tally.engine.billing;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Told about changes to a customer or its subscriptions (created, subscribed, plan changed, cancelled), so that a
 * derived view (the in-memory entitlements) can follow: {@link #changing} runs inside the change's transaction (to
 * record the change for other processes atomically with it), {@link #customerCreated} and
 * {@link #subscriptionStored} after it committed, with what was stored.
 */
public interface BillingObserver {
    /** Observes nothing. */
    BillingObserver NONE = new BillingObserver() {
    };

    /** In the transaction that changes the customer {@code customer} of {@code tenant}. */
    default void changing(Connection c, String tenant, String customer) throws SQLException {
    }

    /** After a new customer was committed. */
    default void customerCreated(String tenant, dev.tally.core.billing.Customer customer) {
    }

    /** After a change to a customer was committed (an update or archiving), with the customer now in force. */
    default void customerChanged(String tenant, dev.tally.core.billing.Customer customer) {
    }

    /** After a subscription was committed (created, or with new phases or an end). */
    default void subscriptionStored(Subscription subscription) {
    }

    /** Tells {@code first}, then {@code second}. */
    static BillingObserver both(BillingObserver first, BillingObserver second) {
        return new BillingObserver() {
            @Override
            public void changing(Connection c, String tenant, String customer) throws SQLException {
                first.changing(c, tenant, customer);
                second.changing(c, tenant, customer);
            }

            @Override
            public void customerCreated(String tenant, dev.tally.core.billing.Customer customer) {
                first.customerCreated(tenant, customer);
                second.customerCreated(tenant, customer);
            }

            @Override
            public void customerChanged(String tenant, dev.tally.core.billing.Customer customer) {
                first.customerChanged(tenant, customer);
                second.customerChanged(tenant, customer);
            }

            @Override
            public void subscriptionStored(Subscription subscription) {
                first.subscriptionStored(subscription);
                second.subscriptionStored(subscription);
            }
        };
    }
}
