package dev.tally.engine.entitlement;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.billing.EntitlementDecision;
import dev.tally.core.billing.EntitlementDecision.Denial;
import dev.tally.core.billing.Feature;
import dev.tally.core.billing.FeatureJson;
import dev.tally.core.billing.FeatureOverride;
import dev.tally.core.billing.InvalidBillingException;
import dev.tally.core.billing.MeteredLimit;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.billing.BillingObserver;
import dev.tally.engine.billing.UsageSource;
import dev.tally.engine.store.Database;
import dev.tally.engine.usage.UnknownMeterException;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Entitlements of customers to the features of their plans, answered from memory. {@link #check} reads no table:
 * the customer's active subscription, plan version and overrides come from the in-memory view (refreshed on every
 * change to subscriptions or overrides, here or, through the change counter, in another process), and the period's
 * usage from the engine's live aggregates, which include an event as soon as its ingest request returned. On a
 * shared database the check first catches up with what other processes stored (read-your-writes across nodes).
 */
public final class Entitlements {
    private final Billing billing;
    private final UsageSource usage;
    private final Clock clock;
    private final EntitlementStore store;
    private final CustomerViews views;

    /** An engine's entitlements over its database, billing and live usage; observes billing's changes. */
    public Entitlements(Database db, Billing billing, UsageSource usage, Clock clock) {
        this.billing = billing;
        this.usage = usage;
        this.clock = clock;
        this.store = new EntitlementStore(db);
        this.views = new CustomerViews(billing, store, clock);
        billing.observe(new BillingObserver() {
            @Override
            public void changing(Connection c, String tenant, String customer) throws SQLException {
                store.changed(c, tenant, EntitlementStore.CUSTOMER, customer);
            }

            @Override
            public void customerCreated(String tenant, dev.tally.core.billing.Customer customer) {
                views.customerCreated(tenant, customer);
            }

            @Override
            public void customerChanged(String tenant, dev.tally.core.billing.Customer customer) {
                views.reloadCustomer(tenant, customer.externalId());
            }

            @Override
            public void subscriptionStored(dev.tally.engine.billing.Subscription subscription) {
                views.subscriptionStored(subscription);
            }
        });
    }

    private volatile EntitlementGate gate = EntitlementGate.NONE;

    /**
     * Sets the further condition every answer passes through (the live credit balance a feature may require); the
     * engine sets it once, at start.
     */
    public void gate(EntitlementGate g) {
        this.gate = java.util.Objects.requireNonNull(g);
    }

    CustomerViews views() {
        return views;
    }

    EntitlementStore store() {
        return store;
    }

    Billing billing() {
        return billing;
    }

    UsageSource usage() {
        return usage;
    }

    private void overridesChanged(String tenant, String customer) {
        views.reloadCustomer(tenant, customer);
    }

    /** Loads the view of these tenants now (at start), so that the first checks find it in memory. */
    public void preload(List<String> tenants) {
        tenants.forEach(views::tenant);
    }

    /**
     * On a shared database, catches up with the subscription, override and alert changes of other processes; a
     * no-op otherwise. The engine calls it with its own catching up.
     */
    public void syncWithOthers() {
        views.sync();
    }

    // ---- checks

    /**
     * Whether a customer may use a feature now, with its limit, usage and period.
     *
     * @throws ValidationException if {@code feature} is not a feature key
     * @throws BillingNotFoundException for an unknown customer
     */
    public EntitlementAnswer check(String tenant, String customer, String feature) {
        checkFeatureKey(feature);
        usage.sync();
        syncWithOthers();
        return answer(tenant, customer, feature, clock.instant());
    }

    /** Every feature the customer's plan (or an override) names, checked now, by key. */
    public List<EntitlementAnswer> checkAll(String tenant, String customer) {
        usage.sync();
        syncWithOthers();
        Instant now = clock.instant();
        CustomerViews.CustomerView cv = customerView(tenant, customer);
        CustomerViews.Current cur = cv.current(views.tenant(tenant), now);
        List<String> keys = cur.active().map(a -> cv.featureKeys(a.plan()))
                .orElseGet(() -> List.copyOf(new java.util.TreeSet<>(cv.overrides.keySet())));
        List<EntitlementAnswer> out = new ArrayList<>();
        for (String key : keys) {
            out.add(answer(tenant, customer, key, now));
        }
        return out;
    }

    /** The answer from memory, without catching up. */
    EntitlementAnswer answer(String tenant, String customer, String feature, Instant now) {
        CustomerViews.CustomerView cv = customerView(tenant, customer);
        Optional<FeatureOverride> override = Optional.ofNullable(cv.overrides.get(feature));
        CustomerViews.Current cur = cv.current(views.tenant(tenant), now);
        if (cur.active().isEmpty()) {
            return new EntitlementAnswer(customer, feature, Optional.empty(),
                    EntitlementDecision.denied(Denial.NO_SUBSCRIPTION), Optional.empty(), Optional.empty(),
                    Optional.empty(), override);
        }
        CustomerViews.Active a = cur.active().get();
        Optional<Feature> effective = cv.feature(a.plan(), feature);
        if (effective.isEmpty()) {
            return new EntitlementAnswer(customer, feature, Optional.empty(),
                    EntitlementDecision.denied(Denial.NOT_IN_PLAN), Optional.empty(), Optional.of(a.period()),
                    Optional.of(a.plan().key()), override);
        }
        Optional<BigDecimal> used = effective.get().metered()
                .map(m -> used(tenant, customer, m.meter(), a.period(), cv.zone));
        EntitlementDecision decision = EntitlementDecision.decide(effective.get(), used.orElse(BigDecimal.ZERO));
        return gate.apply(tenant, new EntitlementAnswer(customer, feature, effective, decision, used,
                Optional.of(a.period()), Optional.of(a.plan().key()), override));
    }

    /** A meter's usage by a customer in a period, from the live aggregates (no I/O for whole-hour zones). */
    BigDecimal used(String tenant, String customer, String meter, Period period, ZoneId zone) {
        try {
            BigDecimal sum = BigDecimal.ZERO;
            for (UsageRow r : usage.usage(tenant, new UsageRequest(meter, Optional.of(customer), period.start(),
                    period.end(), Window.NONE, zone, List.of(), Map.of()))) {
                sum = sum.add(r.value());
            }
            return sum;
        } catch (UnknownMeterException e) {
            return BigDecimal.ZERO;
        }
    }

    CustomerViews.CustomerView customerView(String tenant, String customer) {
        return views.customer(tenant, customer)
                .orElseThrow(() -> new BillingNotFoundException("no customer '" + customer + "'"));
    }

    // ---- overrides

    /**
     * Sets a customer's override of one feature (replacing any earlier one) and returns the resulting entitlement.
     *
     * @throws BillingNotFoundException for an unknown customer
     * @throws ValidationException for an invalid override, or one that cannot apply to the customer's plan now
     */
    public EntitlementAnswer putOverride(String tenant, String customer, String feature, JsonNode body) {
        checkFeatureKey(feature);
        syncWithOthers();
        CustomerViews.CustomerView cv = customerView(tenant, customer);
        FeatureOverride o = FeatureJson.readOverride(body);
        Instant now = clock.instant();
        Optional<Feature> base = cv.current(views.tenant(tenant), now).active().flatMap(a -> a.plan().feature(feature));
        try {
            o.checkAgainst(base);
        } catch (InvalidBillingException e) {
            throw new ValidationException(e.field().isEmpty() ? "body" : e.field(), e.problem());
        }
        o.meter().ifPresent(m -> {
            if (!usage.meterExists(tenant, m)) {
                throw new ValidationException("meter", "no meter '" + m + "'");
            }
        });
        store.putOverride(tenant, customer, feature, o, now.truncatedTo(ChronoUnit.SECONDS));
        overridesChanged(tenant, customer);
        return check(tenant, customer, feature);
    }

    /**
     * Removes a customer's override of one feature.
     *
     * @throws BillingNotFoundException for an unknown customer or when there is no such override
     */
    public void deleteOverride(String tenant, String customer, String feature) {
        checkFeatureKey(feature);
        syncWithOthers();
        customerView(tenant, customer);
        if (!store.deleteOverride(tenant, customer, feature)) {
            throw new BillingNotFoundException("customer '" + customer + "' has no override of '" + feature + "'");
        }
        overridesChanged(tenant, customer);
    }

    private static void checkFeatureKey(String feature) {
        if (!Plan.KEY.matcher(feature).matches()) {
            throw new ValidationException("feature", "must be a feature key: 1 to 64 lower-case letters, digits, "
                    + "'_', '.' or '-', starting with a letter or digit");
        }
    }

    /** The hard limit of a feature, if it has one and it is enabled. */
    static Optional<MeteredLimit> hardLimit(Optional<Feature> f) {
        return f.filter(Feature::enabled).flatMap(Feature::metered)
                .filter(m -> m.mode() == dev.tally.core.billing.LimitMode.HARD);
    }
}
