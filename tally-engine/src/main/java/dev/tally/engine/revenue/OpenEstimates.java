package dev.tally.engine.revenue;

import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.billing.Phase;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.billing.UsageEstimate;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per tenant: each customer's last computed estimate of its open periods (per currency, the sum of
 * {@link Billing#currentUsage} totals and the number of periods), the tenant's sum of them, and the customers marked
 * to recompute. A recomputed customer moves the tenant's sum by the difference of its old and new estimate (exact
 * decimals), so the sum is always the sum of the customers' last estimates. A customer is marked again when time
 * alone changes its figures: at the first period end, phase start, subscription start or end after it was computed
 * ({@code validUntil}).
 */
final class OpenEstimates {
    private static final Logger LOG = LoggerFactory.getLogger(OpenEstimates.class);

    private final Billing billing;
    private final Clock clock;
    private final ConcurrentHashMap<String, TenantEstimates> tenants = new ConcurrentHashMap<>();
    private volatile Instant asOf;

    OpenEstimates(Billing billing, Clock clock) {
        this.billing = billing;
        this.clock = clock;
    }

    /** A customer's open periods per currency, and when time alone changes them. */
    record Estimate(Map<String, Figure> byCurrency, Instant validUntil) {
        Estimate {
            byCurrency = Map.copyOf(byCurrency);
        }
    }

    private static final class TenantEstimates {
        final ConcurrentHashMap<String, Estimate> customers = new ConcurrentHashMap<>();
        final Set<String> dirty = ConcurrentHashMap.newKeySet();
        /** Guarded by this. */
        final Map<String, Figure> sums = new TreeMap<>();
        /** The resweep's place in {@link #customers} (refresh thread only). */
        Iterator<String> resweep;
    }

    private TenantEstimates tenant(String tenant) {
        return tenants.computeIfAbsent(tenant, t -> new TenantEstimates());
    }

    /** Marks a customer to recompute (a new customer, a changed one, a subscription stored). */
    void mark(String tenant, String customer) {
        tenant(tenant).dirty.add(customer);
    }

    /** Marks a customer whose usage changed, when it has an open period (else usage cannot change its figures). */
    void usageChanged(String tenant, String customer) {
        TenantEstimates te = tenants.get(tenant);
        if (te == null) {
            return;
        }
        Estimate e = te.customers.get(customer);
        if (e != null && !e.byCurrency().isEmpty()) {
            te.dirty.add(customer);
        }
    }

    /** The tenant's open-period sums per currency (currencies with at least one period). */
    Map<String, Figure> sums(String tenant) {
        TenantEstimates te = tenants.get(tenant);
        if (te == null) {
            return Map.of();
        }
        synchronized (te) {
            return new TreeMap<>(te.sums);
        }
    }

    int pending(String tenant) {
        TenantEstimates te = tenants.get(tenant);
        return te == null ? 0 : te.dirty.size();
    }

    int backlog() {
        int n = 0;
        for (TenantEstimates te : tenants.values()) {
            n += te.dirty.size();
        }
        return n;
    }

    Optional<Instant> asOf() {
        return Optional.ofNullable(asOf);
    }

    /**
     * Recomputes the marked customers (and those whose {@code validUntil} passed) until {@code deadline}
     * ({@link System#nanoTime}), then, for at most {@code resweepNanos} more (and not past the deadline), the next
     * customers of a round-robin over all of them (what no mark reports still reaches every customer in time).
     * Returns how many it recomputed.
     */
    int refresh(long deadline, long resweepNanos) {
        Instant now = clock.instant();
        asOf = now;
        for (TenantEstimates te : tenants.values()) {
            for (Map.Entry<String, Estimate> e : te.customers.entrySet()) {
                if (!e.getValue().validUntil().isAfter(now)) {
                    te.dirty.add(e.getKey());
                }
            }
        }
        int done = 0;
        for (Map.Entry<String, TenantEstimates> t : tenants.entrySet()) {
            TenantEstimates te = t.getValue();
            for (Iterator<String> it = te.dirty.iterator(); it.hasNext(); ) {
                if (System.nanoTime() > deadline) {
                    return done;
                }
                String customer = it.next();
                it.remove();
                recompute(t.getKey(), te, customer, now);
                done++;
            }
        }
        long resweepDeadline = Math.min(deadline, System.nanoTime() + resweepNanos);
        for (Map.Entry<String, TenantEstimates> t : tenants.entrySet()) {
            TenantEstimates te = t.getValue();
            int visited = 0;
            int size = te.customers.size();
            while (resweepNanos > 0 && visited < size && System.nanoTime() <= resweepDeadline) {
                if (te.resweep == null || !te.resweep.hasNext()) {
                    te.resweep = te.customers.keySet().iterator();
                    if (!te.resweep.hasNext()) {
                        break;
                    }
                }
                String customer = te.resweep.next();
                visited++;
                if (!te.dirty.contains(customer)) {
                    recompute(t.getKey(), te, customer, now);
                    done++;
                }
            }
        }
        return done;
    }

    private void recompute(String tenant, TenantEstimates te, String customer, Instant now) {
        try {
            replace(te, customer, Optional.of(compute(tenant, customer, now)));
        } catch (BillingNotFoundException gone) {
            replace(te, customer, Optional.empty());
        } catch (RuntimeException e) {
            te.dirty.add(customer);
            LOG.warn("estimating the open periods of customer {} of tenant {} failed", customer, tenant, e);
        }
    }

    /** A customer's estimate now: its live subscriptions' current periods, as {@code /usage} prices them. */
    Estimate compute(String tenant, String customer, Instant now) {
        List<UsageEstimate> estimates = billing.currentUsage(tenant, customer);
        Map<String, Figure> by = new TreeMap<>();
        Instant until = Instant.MAX;
        for (UsageEstimate e : estimates) {
            by.merge(e.estimate().currency().getCurrencyCode(), Figure.NONE.plus(e.estimate().total().amount()),
                    Figure::plus);
            until = earlier(until, e.period().end());
        }
        for (Subscription s : billing.subscriptionsOf(tenant, customer)) {
            until = laterThan(now, until, s.start());
            if (s.end().isPresent()) {
                until = laterThan(now, until, s.end().get());
            }
            for (Phase p : s.phases()) {
                until = laterThan(now, until, p.start());
            }
        }
        return new Estimate(by, until);
    }

    private static Instant laterThan(Instant now, Instant until, Instant t) {
        return t.isAfter(now) ? earlier(until, t) : until;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Replaces the customer's estimate, moving the tenant's sums by the difference. */
    private static void replace(TenantEstimates te, String customer, Optional<Estimate> now) {
        synchronized (te) {
            Estimate old = now.isPresent() ? te.customers.put(customer, now.get()) : te.customers.remove(customer);
            if (old != null) {
                old.byCurrency().forEach((c, f) -> {
                    Figure left = te.sums.get(c).minus(f);
                    if (left.count() == 0) {
                        te.sums.remove(c);
                    } else {
                        te.sums.put(c, left);
                    }
                });
            }
            now.ifPresent(e -> e.byCurrency().forEach((c, f) -> te.sums.merge(c, f, Figure::plus)));
        }
    }
}
