package dev.tally.engine.entitlement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.AlertRule;
import dev.tally.core.billing.AlertRuleJson;
import dev.tally.core.billing.EntitlementDecision;
import dev.tally.core.billing.Feature;
import dev.tally.core.billing.MeteredLimit;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.billing.UsageEstimate;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage and spend alerts, and the evaluator that fires them. {@link #evaluate} looks at the customers whose usage
 * changed since it last ran (the engine's changed-customer queue), whose subscriptions, overrides or alerts changed,
 * and whose billing period rolled over (or that it has not looked at yet in this process); for each it records
 * every threshold now reached and every hard limit now used up. A unique row per (alert, customer, period start,
 * threshold), inserted with {@code ON CONFLICT DO NOTHING}, decides that a threshold fires once per period even when
 * several threads or processes evaluate at once, and the {@code usage.threshold_crossed} (or
 * {@code entitlement.exhausted}) message is recorded in the outbox in the same transaction only when the row was
 * inserted. The engine runs the evaluator every second.
 */
public final class Alerts {
    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Entitlements entitlements;
    private final CustomerViews views;
    private final EntitlementStore store;
    private final Clock clock;
    private final Supplier<List<Map.Entry<String, String>>> changedUsage;
    /** tenant \0 customer -> what it was last evaluated with (absent: evaluate it). */
    private final ConcurrentHashMap<String, Mark> evaluated = new ConcurrentHashMap<>();
    /** What this process knows fired (so a value that stays past a threshold costs no insert): key -> period start. */
    private final ConcurrentHashMap<String, Instant> knownFired = new ConcurrentHashMap<>();

    /**
     * The alerts over an engine's entitlements; {@code changedUsage} drains the customers whose usage changed
     * (tenant, customer).
     */
    public Alerts(Entitlements entitlements, Supplier<List<Map.Entry<String, String>>> changedUsage, Clock clock) {
        this.entitlements = entitlements;
        this.views = entitlements.views();
        this.store = entitlements.store();
        this.clock = clock;
        this.changedUsage = changedUsage;
    }

    private static String key(String tenant, String customer) {
        return tenant + "\u0000" + customer;
    }

    /**
     * What a customer was last evaluated with: the period (null without an active subscription), the customer's
     * view and the tenant's alert list. Views and alert lists are replaced, never changed, when they are reloaded,
     * so a mark whose view or alerts are not the current ones (by identity) is out of date.
     */
    private record Mark(Instant periodStart, CustomerViews.CustomerView view, List<Alert> alerts) {
        boolean current(CustomerViews.CustomerView v, List<Alert> a, Optional<CustomerViews.Active> active) {
            Instant p = active.map(x -> x.period().start()).orElse(null);
            return view == v && alerts == a && java.util.Objects.equals(periodStart, p);
        }
    }

    // ---- definitions

    /**
     * Creates an alert.
     *
     * @throws ValidationException for an invalid definition, an unknown customer, plan or meter
     */
    public Alert create(String tenant, JsonNode body) {
        AlertRule rule = AlertRuleJson.read(body);
        entitlements.syncWithOthers();
        if (rule.scope() == AlertRule.Scope.CUSTOMER && views.customer(tenant, rule.scopeId()).isEmpty()) {
            throw new ValidationException("customer", "no customer '" + rule.scopeId() + "'");
        }
        if (rule.scope() == AlertRule.Scope.PLAN && !entitlements.billing().planKeys(tenant).contains(rule.scopeId())) {
            throw new ValidationException("plan", "no plan '" + rule.scopeId() + "'");
        }
        rule.meter().ifPresent(m -> {
            if (!entitlements.usage().meterExists(tenant, m)) {
                throw new ValidationException("meter", "no meter '" + m + "'");
            }
        });
        Alert a = new Alert("alt_" + UUID.randomUUID().toString().replace("-", ""), tenant, rule,
                clock.instant().truncatedTo(ChronoUnit.SECONDS));
        store.insertAlert(a);
        alertsChanged(tenant);
        return a;
    }

    public List<Alert> list(String tenant) {
        entitlements.syncWithOthers();
        return views.tenant(tenant).alerts;
    }

    /**
     * One alert.
     *
     * @throws BillingNotFoundException when there is no such alert
     */
    public Alert get(String tenant, String id) {
        return list(tenant).stream().filter(a -> a.id().equals(id)).findFirst()
                .orElseThrow(() -> new BillingNotFoundException("no alert '" + id + "'"));
    }

    /**
     * Deletes an alert and its firings.
     *
     * @throws BillingNotFoundException when there is no such alert
     */
    public void delete(String tenant, String id) {
        if (!store.deleteAlert(tenant, id)) {
            throw new BillingNotFoundException("no alert '" + id + "'");
        }
        alertsChanged(tenant);
    }

    private void alertsChanged(String tenant) {
        views.reloadAlerts(tenant);
    }

    /**
     * The alerts that apply to a customer now (its own, and those of the plan it is on), each with its value and
     * thresholds this period.
     *
     * @throws BillingNotFoundException for an unknown customer
     */
    public List<AlertStatus> forCustomer(String tenant, String customer) {
        entitlements.usage().sync();
        entitlements.syncWithOthers();
        CustomerViews.CustomerView cv = entitlements.customerView(tenant, customer);
        CustomerViews.TenantView tv = views.tenant(tenant);
        Instant now = clock.instant();
        Optional<CustomerViews.Active> active = cv.current(tv, now).active();
        List<AlertStatus> out = new ArrayList<>();
        Map<String, BigDecimal> used = new HashMap<>();
        for (Alert a : tv.alerts) {
            String plan = active.map(x -> x.plan().key()).orElse(null);
            if (a.rule().scope() == AlertRule.Scope.PLAN && (plan == null || !a.rule().appliesTo(customer, plan))
                    || a.rule().scope() == AlertRule.Scope.CUSTOMER && !a.rule().scopeId().equals(customer)) {
                continue;
            }
            if (active.isEmpty()) {
                out.add(new AlertStatus(a, customer, Optional.empty(), Optional.empty(), Optional.empty(),
                        a.rule().thresholds().stream().map(t -> new AlertStatus.Threshold(t, Optional.empty(), false,
                                Optional.empty())).toList()));
                continue;
            }
            CustomerViews.Active x = active.get();
            BigDecimal value = value(tenant, cv, x, a.rule(), used);
            Optional<BigDecimal> included = included(x.plan(), a.rule());
            Map<String, Instant> fired = store.firings(a.id(), customer, x.period().start());
            List<AlertStatus.Threshold> thresholds = new ArrayList<>();
            for (AlertRule.ThresholdState st : a.rule().states(value, included)) {
                thresholds.add(new AlertStatus.Threshold(st.threshold(), st.amount(), st.crossed(),
                        Optional.ofNullable(fired.get(st.threshold().toPlainString()))));
            }
            out.add(new AlertStatus(a, customer, Optional.of(x.period()), Optional.of(value),
                    a.rule().base(included), thresholds));
        }
        return out;
    }

    // ---- evaluation

    /**
     * Evaluates the customers that may have crossed something since the last evaluation and records what fired.
     * Safe to call from several threads and processes at once. Returns how many messages this call recorded
     * ({@code usage.threshold_crossed} plus {@code entitlement.exhausted}).
     */
    public int evaluate() {
        entitlements.usage().sync();
        entitlements.syncWithOthers();
        Instant now = clock.instant();
        Set<Map.Entry<String, String>> todo = new LinkedHashSet<>(changedUsage.get());
        for (CustomerViews.TenantView tv : views.loaded()) {
            List<Alert> alerts = tv.alerts;
            for (CustomerViews.CustomerView cv : tv.customers.values()) {
                Mark last = evaluated.get(key(tv.tenant, cv.id));
                if (last == null || !last.current(cv, alerts, cv.current(tv, now).active())) {
                    todo.add(Map.entry(tv.tenant, cv.id));
                }
            }
        }
        int fired = 0;
        for (Map.Entry<String, String> tc : todo) {
            try {
                fired += evaluate(tc.getKey(), tc.getValue(), now);
            } catch (RuntimeException e) {
                // leave it unevaluated: the next run tries again
                evaluated.remove(key(tc.getKey(), tc.getValue()));
                LOG.warn("evaluating alerts of customer {} of tenant {} failed", tc.getValue(), tc.getKey(), e);
            }
        }
        return fired;
    }

    private int evaluate(String tenant, String customer, Instant now) {
        CustomerViews.TenantView tv = views.tenant(tenant);
        CustomerViews.CustomerView cv = tv.customers.get(customer);
        if (cv == null) {
            return 0;
        }
        List<Alert> alerts = tv.alerts;
        Optional<CustomerViews.Active> active = cv.current(tv, now).active();
        if (active.isEmpty()) {
            evaluated.put(key(tenant, customer), new Mark(null, cv, alerts));
            return 0;
        }
        CustomerViews.Active a = active.get();
        Period period = a.period();
        int fired = 0;
        Map<String, BigDecimal> used = new HashMap<>();
        for (String featureKey : cv.featureKeys(a.plan())) {
            Optional<Feature> f = cv.feature(a.plan(), featureKey);
            Optional<MeteredLimit> hard = Entitlements.hardLimit(f);
            if (hard.isEmpty()) {
                continue;
            }
            String known = "x\u0000" + tenant + "\u0000" + customer + "\u0000" + featureKey;
            if (period.start().equals(knownFired.get(known))) {
                continue;
            }
            BigDecimal u = used.computeIfAbsent(hard.get().meter(),
                    m -> entitlements.used(tenant, customer, m, period, cv.zone));
            if (!EntitlementDecision.decide(f.get(), u).exhausted()) {
                continue;
            }
            if (store.exhausted(tenant, customer, featureKey, period.start(), u.toPlainString(),
                    exhaustedPayload(customer, a, featureKey, hard.get(), u), now)) {
                fired++;
            }
            knownFired.put(known, period.start());
        }
        for (Alert al : alerts) {
            if (!al.rule().appliesTo(customer, a.plan().key())) {
                continue;
            }
            List<AlertRule.ThresholdState> states = null;
            BigDecimal value = null;
            for (BigDecimal t : al.rule().thresholds()) {
                String known = "a\u0000" + al.id() + "\u0000" + customer + "\u0000" + t.toPlainString();
                if (period.start().equals(knownFired.get(known))) {
                    continue;
                }
                if (states == null) {
                    value = value(tenant, cv, a, al.rule(), used);
                    states = al.rule().states(value, included(a.plan(), al.rule()));
                }
                AlertRule.ThresholdState st = states.stream().filter(s -> s.threshold().equals(t)).findFirst()
                        .orElseThrow();
                if (!st.crossed()) {
                    continue;
                }
                if (store.fire(al, customer, period.start(), t.toPlainString(), value.toPlainString(),
                        crossedPayload(al, customer, a, st, value), now)) {
                    fired++;
                }
                knownFired.put(known, period.start());
            }
        }
        evaluated.put(key(tenant, customer), new Mark(period.start(), cv, alerts));
        return fired;
    }

    /** The alert's metric for a customer now: the meter's usage this period, or the period's estimated spend. */
    private BigDecimal value(String tenant, CustomerViews.CustomerView cv, CustomerViews.Active a, AlertRule rule,
            Map<String, BigDecimal> used) {
        if (rule.metric() == AlertRule.Metric.USAGE) {
            String meter = rule.meter().orElseThrow();
            return used.computeIfAbsent(meter, m -> entitlements.used(tenant, cv.id, m, a.period(), cv.zone));
        }
        BigDecimal spend = BigDecimal.ZERO;
        for (UsageEstimate e : entitlements.billing().currentUsage(tenant, cv.id)) {
            if (rule.scope() == AlertRule.Scope.CUSTOMER || e.plan().equals(rule.scopeId())) {
                spend = spend.add(e.estimate().total().amount());
            }
        }
        return spend;
    }

    /** The included quantity of the alert's meter in the plan (its usage charges on that meter, added). */
    private static Optional<BigDecimal> included(Plan plan, AlertRule rule) {
        if (rule.meter().isEmpty()) {
            return Optional.empty();
        }
        return plan.usageCharges().stream().filter(u -> u.meter().equals(rule.meter().get()))
                .map(u -> u.pricing().includedQuantity()).reduce(BigDecimal::add);
    }

    private static ObjectNode period(ObjectNode o, Period p) {
        o.putObject("period").put("start", p.start().toString()).put("end", p.end().toString());
        return o;
    }

    private static ObjectNode crossedPayload(Alert al, String customer, CustomerViews.Active a,
            AlertRule.ThresholdState st, BigDecimal value) {
        AlertRule r = al.rule();
        ObjectNode o = NODES.objectNode();
        o.put("alert", al.id());
        r.name().ifPresentOrElse(n -> o.put("alert_name", n), () -> o.putNull("alert_name"));
        o.put("customer", customer);
        o.put("plan", a.plan().key());
        o.put("subscription", a.subscription().id());
        o.put("metric", r.metric().wireName());
        r.meter().ifPresentOrElse(m -> o.put("meter", m), () -> o.putNull("meter"));
        if (r.metric() == AlertRule.Metric.SPEND) {
            o.put("currency", a.plan().currency().getCurrencyCode());
        }
        o.put("threshold", st.threshold().toPlainString());
        o.put("threshold_kind", r.percent() ? "percent" : "absolute");
        r.percentOf().ifPresentOrElse(of -> o.put("of", of.wireName()), () -> o.putNull("of"));
        o.put("threshold_value", st.amount().orElseThrow().toPlainString());
        o.put("value", value.toPlainString());
        return period(o, a.period());
    }

    private static ObjectNode exhaustedPayload(String customer, CustomerViews.Active a, String feature,
            MeteredLimit limit, BigDecimal used) {
        ObjectNode o = NODES.objectNode();
        o.put("customer", customer);
        o.put("feature", feature);
        o.put("plan", a.plan().key());
        o.put("subscription", a.subscription().id());
        o.put("meter", limit.meter());
        o.put("limit", limit.limit().toPlainString());
        o.put("grace_percent", limit.gracePercent().toPlainString());
        o.put("ceiling", limit.ceiling().orElseThrow().toPlainString());
        o.put("used", used.toPlainString());
        return period(o, a.period());
    }
}
