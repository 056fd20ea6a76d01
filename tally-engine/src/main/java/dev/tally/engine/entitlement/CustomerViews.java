package dev.tally.engine.entitlement;

import dev.tally.core.billing.BillingCalendar;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.Feature;
import dev.tally.core.billing.FeatureOverride;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.billing.Phase;
import dev.tally.engine.billing.Subscription;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The in-memory view entitlements are answered from: per tenant, every customer (its time zone, its subscriptions
 * that have not ended, its overrides), every plan version those subscriptions are on, and the tenant's alerts.
 * Reads take no lock and do no I/O; a customer's entry is an immutable snapshot replaced whole when it is reloaded
 * (after a change here, or when the shared database's change counter moved). Reloads of a tenant are serialized.
 */
final class CustomerViews {
    private final Billing billing;
    private final EntitlementStore store;
    private final Clock clock;
    private final ConcurrentHashMap<String, TenantView> tenants = new ConcurrentHashMap<>();
    private static final java.util.Comparator<Subscription> CREATED =
            java.util.Comparator.comparing(Subscription::createdAt).thenComparing(Subscription::id);

    CustomerViews(Billing billing, EntitlementStore store, Clock clock) {
        this.billing = billing;
        this.store = store;
        this.clock = clock;
    }

    /** One tenant's customers, plan versions and alerts. */
    static final class TenantView {
        final String tenant;
        final ConcurrentHashMap<String, CustomerView> customers = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, Plan> plans = new ConcurrentHashMap<>();
        volatile List<Alert> alerts = List.of();
        /** The change counter this view has caught up with (shared databases). */
        volatile long generation;

        TenantView(String tenant) {
            this.tenant = tenant;
        }

        Plan plan(Phase phase) {
            return plans.get(phase.plan() + "@" + phase.planVersion());
        }
    }

    /** What applies to a customer at an instant: the subscription active then, its plan and its billing period. */
    record Active(Subscription subscription, Plan plan, Period period) {
    }

    /** The customer's situation over [from, until): the active subscription, if any. */
    record Current(Optional<Active> active, Instant from, Instant until) {
        boolean covers(Instant t) {
            return !t.isBefore(from) && t.isBefore(until);
        }
    }

    /** One customer as entitlements see it; immutable but for the cached current situation. */
    static final class CustomerView {
        final String id;
        final ZoneId zone;
        final List<Subscription> subscriptions;
        final Map<String, FeatureOverride> overrides;
        /** The customer's suspension (dunning), if one is in force. */
        final Optional<Suspension> suspension;
        private volatile Current current;

        CustomerView(String id, ZoneId zone, List<Subscription> subscriptions, Map<String, FeatureOverride> overrides,
                Optional<Suspension> suspension) {
            this.id = id;
            this.suspension = suspension;
            this.zone = zone;
            this.subscriptions = List.copyOf(subscriptions);
            this.overrides = Map.copyOf(overrides);
        }

        /** The subscription active at {@code now} (the first created, if several), its plan and period. */
        Current current(TenantView tv, Instant now) {
            Current c = current;
            if (c != null && c.covers(now)) {
                return c;
            }
            c = compute(tv, now);
            current = c;
            return c;
        }

        private Current compute(TenantView tv, Instant now) {
            Instant until = Instant.MAX;
            for (Subscription s : subscriptions) {
                if (s.start().isAfter(now) && s.start().isBefore(until)) {
                    until = s.start();
                }
            }
            for (Subscription s : subscriptions) {
                if (!s.activeAt(now)) {
                    continue;
                }
                Phase phase = s.phaseAt(now);
                Plan plan = tv.plan(phase);
                Plan first = tv.plan(s.phases().get(0));
                if (plan == null || first == null) {
                    continue;
                }
                Period period = BillingCalendar.periodContaining(s.start(), now, zone, first.interval(), s.anchor());
                Instant from = period.start().isAfter(phase.start()) ? period.start() : phase.start();
                until = min(until, period.end());
                if (s.end().isPresent()) {
                    until = min(until, s.end().get());
                }
                for (Phase p : s.phases()) {
                    if (p.start().isAfter(now)) {
                        until = min(until, p.start());
                    }
                }
                return new Current(Optional.of(new Active(s, plan, period)), from, until);
            }
            return new Current(Optional.empty(), now, until);
        }

        /** The feature as this customer has it under {@code plan}: the plan's, changed by the customer's override. */
        Optional<Feature> feature(Plan plan, String key) {
            FeatureOverride o = overrides.get(key);
            return o == null ? plan.feature(key) : o.applyTo(key, plan.feature(key));
        }

        /** The keys of every feature this customer may have under {@code plan}: the plan's and the overridden ones. */
        List<String> featureKeys(Plan plan) {
            TreeSet<String> keys = new TreeSet<>(overrides.keySet());
            plan.features().forEach(f -> keys.add(f.key()));
            return List.copyOf(keys);
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    // ---- reading

    TenantView tenant(String tenant) {
        TenantView tv = tenants.get(tenant);
        return tv != null ? tv : tenants.computeIfAbsent(tenant, this::load);
    }

    Optional<CustomerView> customer(String tenant, String customer) {
        return Optional.ofNullable(tenant(tenant).customers.get(customer));
    }

    /** The tenants loaded so far. */
    List<TenantView> loaded() {
        return List.copyOf(tenants.values());
    }

    // ---- loading and refreshing

    private TenantView load(String tenant) {
        TenantView tv = new TenantView(tenant);
        tv.generation = store.generation(tenant);
        Instant now = clock.instant();
        Map<String, List<Subscription>> subs = billing.subscriptionsNotEndedAt(tenant, now).stream()
                .collect(Collectors.groupingBy(Subscription::customer));
        Map<String, Map<String, FeatureOverride>> overrides = store.allOverrides(tenant);
        Map<String, Suspension> suspensions = store.suspensions(tenant);
        for (Customer c : billing.customers(tenant)) {
            List<Subscription> own = subs.getOrDefault(c.externalId(), List.of());
            loadPlans(tv, own);
            tv.customers.put(c.externalId(), new CustomerView(c.externalId(), c.timezone(), own,
                    overrides.getOrDefault(c.externalId(), Map.of()), Optional.ofNullable(suspensions.get(c.externalId()))));
        }
        tv.alerts = store.alerts(tenant);
        return tv;
    }

    private void loadPlans(TenantView tv, List<Subscription> subs) {
        for (Subscription s : subs) {
            for (Phase p : s.phases()) {
                if (tv.plan(p) == null) {
                    for (Plan v : billing.planVersions(tv.tenant, p.plan())) {
                        tv.plans.putIfAbsent(v.key() + "@" + v.version(), v);
                    }
                }
            }
        }
    }

    /** Reads one customer again (after its overrides changed, or another process changed it). */
    void reloadCustomer(String tenant, String customer) {
        TenantView tv = tenant(tenant);
        synchronized (tv) {
            ZoneId zone;
            try {
                zone = billing.customer(tenant, customer).timezone();
            } catch (BillingNotFoundException e) {
                tv.customers.remove(customer);
                return;
            }
            Instant now = clock.instant();
            List<Subscription> subs = new ArrayList<>();
            for (Subscription s : billing.subscriptionsOf(tenant, customer)) {
                if (s.end().isEmpty() || s.end().get().isAfter(now)) {
                    subs.add(s);
                }
            }
            loadPlans(tv, subs);
            tv.customers.put(customer, new CustomerView(customer, zone, subs, store.overrides(tenant, customer),
                    store.suspension(tenant, customer)));
        }
    }

    /** Adds a customer just created here (it has no subscriptions or overrides yet). */
    void customerCreated(String tenant, Customer c) {
        TenantView tv = tenant(tenant);
        synchronized (tv) {
            tv.customers.putIfAbsent(c.externalId(), new CustomerView(c.externalId(), c.timezone(), List.of(), Map.of(),
                    Optional.empty()));
        }
    }

    /** Puts a subscription just stored here (new, changed or cancelled) into its customer's entry, without I/O. */
    void subscriptionStored(Subscription s) {
        TenantView tv = tenant(s.tenant());
        synchronized (tv) {
            CustomerView cv = tv.customers.get(s.customer());
            if (cv == null) {
                reloadCustomer(s.tenant(), s.customer());
                return;
            }
            Instant now = clock.instant();
            List<Subscription> subs = new ArrayList<>();
            for (Subscription other : cv.subscriptions) {
                if (!other.id().equals(s.id())) {
                    subs.add(other);
                }
            }
            if (s.end().isEmpty() || s.end().get().isAfter(now)) {
                subs.add(s);
            }
            subs.sort(CREATED);
            loadPlans(tv, List.of(s));
            tv.customers.put(s.customer(), new CustomerView(cv.id, cv.zone, subs, cv.overrides, cv.suspension));
        }
    }

    void reloadAlerts(String tenant) {
        TenantView tv = tenant(tenant);
        synchronized (tv) {
            tv.alerts = store.alerts(tenant);
        }
    }

    /**
     * On a shared database, catches up with the changes other processes made: reloads the customers and alert
     * lists whose change generation is newer than this view's. A no-op when this process is the only one.
     */
    void sync() {
        if (!store.shared()) {
            return;
        }
        Map<String, Long> generations = store.generations();
        for (TenantView tv : loaded()) {
            long latest = generations.getOrDefault(tv.tenant, 0L);
            if (latest <= tv.generation) {
                continue;
            }
            synchronized (tv) {
                long seen = tv.generation;
                for (EntitlementStore.Change ch : store.changesSince(tv.tenant, seen)) {
                    if (ch.kind().equals(EntitlementStore.ALERTS)) {
                        reloadAlerts(tv.tenant);
                    } else {
                        reloadCustomer(tv.tenant, ch.subject());
                    }
                    seen = Math.max(seen, ch.generation());
                }
                tv.generation = Math.max(seen, tv.generation);
            }
        }
    }
}
