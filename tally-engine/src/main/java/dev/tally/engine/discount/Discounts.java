package dev.tally.engine.discount;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.billing.BillingCalendar;
import dev.tally.core.billing.Charge;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.InvalidBillingException;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineSource;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.discount.Coupon;
import dev.tally.core.discount.CouponDuration;
import dev.tally.core.discount.Discount;
import dev.tally.core.discount.DiscountCalculator;
import dev.tally.core.discount.InvalidDiscountException;
import dev.tally.core.discount.OverrideSchedule;
import dev.tally.core.discount.OverrideTerms;
import dev.tally.core.discount.OverrideVersion;
import dev.tally.core.discount.PricedPart;
import dev.tally.core.discount.Redemption;
import dev.tally.core.input.InstantInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.money.Money;
import dev.tally.core.pricing.InvalidPriceException;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.billing.BillingConflictException;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.billing.Phase;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.billing.SubscriptionPricing;
import dev.tally.engine.store.Database;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A subscription's negotiated prices and discounts: price overrides (created, changed and ended by adding versions;
 * never edited), coupons (created, archived) and their redemptions on subscriptions, and the
 * {@link SubscriptionPricing} invoices are composed with. Guarantees: an override or redemption can only change what
 * is not invoiced yet (effective times at or after the subscription's last invoiced boundary); the discount lines of
 * an invoice are a function of the invoice's other lines, the redemptions and the invoices already issued, so a
 * draft rated again gets the same discounts and a coupon's periods are counted by the billing calendar, once each.
 */
public final class Discounts implements SubscriptionPricing {
    private static final Set<String> OVERRIDE_FIELDS = Set.of("charge", "effective_from", "effective_to", "price",
            "amount", "discount_percent", "reason");
    private static final Set<String> VERSION_FIELDS = Set.of("effective_from", "effective_to", "price", "amount",
            "discount_percent", "reason");
    private static final Set<String> COUPON_FIELDS = Set.of("key", "name", "percent_off", "amount_off", "currency",
            "duration", "duration_periods", "applies_to");

    /** What the discounts need to know of billing: subscriptions, their plans and their invoices. */
    public interface Subscriptions {
        /** The subscription, or a {@link BillingNotFoundException}. */
        Subscription subscription(String tenant, String id);

        /** The plan version of a phase. */
        Plan plan(String tenant, Phase phase);

        /** Every invoice of the subscription, oldest boundary first. */
        List<Invoice> invoices(String tenant, String subscriptionId);
    }

    private final DiscountStore store;
    private final Clock clock;
    private final Subscriptions subscriptions;

    public Discounts(Database db, Clock clock, Subscriptions subscriptions) {
        this.store = new DiscountStore(db);
        this.clock = clock;
        this.subscriptions = subscriptions;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    // ---- overrides

    /** Creates the override of one charge of a subscription (version 1). */
    public OverrideVersion createOverride(String tenant, String subscriptionId, JsonNode body) {
        known(body, OVERRIDE_FIELDS);
        Subscription s = subscriptions.subscription(tenant, subscriptionId);
        String charge = text(body, "charge").orElseThrow(() -> new ValidationException("charge", "is required"));
        if (store.versions(tenant, s.id()).stream().anyMatch(v -> v.chargeKey().equals(charge))) {
            throw new BillingConflictException("override-exists", "charge '" + charge + "' of this subscription has an "
                    + "override already: add a version to it (POST .../overrides/{id}/versions)");
        }
        OverrideVersion v = version(s, "ovr_" + UUID.randomUUID().toString().replace("-", ""), 1, charge, body);
        insert(tenant, v);
        return v;
    }

    /** Adds a version to an override: new terms and dates, in force from its effective_from on. */
    public OverrideVersion addVersion(String tenant, String subscriptionId, String overrideId, JsonNode body) {
        known(body, VERSION_FIELDS);
        List<OverrideVersion> versions = versions(tenant, subscriptionId, overrideId);
        OverrideVersion last = versions.get(versions.size() - 1);
        Subscription s = subscriptions.subscription(tenant, subscriptionId);
        OverrideVersion v = version(s, overrideId, last.version() + 1, last.chargeKey(), body);
        insert(tenant, v);
        return v;
    }

    /**
     * Ends an override at {@code at} (default now): a new version with the terms in force then, ending there; it
     * also ends any later version scheduled before.
     */
    public OverrideVersion endOverride(String tenant, String subscriptionId, String overrideId, JsonNode body) {
        known(body, Set.of("at", "reason"));
        List<OverrideVersion> versions = versions(tenant, subscriptionId, overrideId);
        Subscription s = subscriptions.subscription(tenant, subscriptionId);
        Instant at = instant(body, "at").orElse(now());
        notInvoiced(s, at, "at");
        OverrideVersion last = versions.get(versions.size() - 1);
        Optional<OverrideVersion> current = new OverrideSchedule(versions).inForce(last.chargeKey(), at);
        if (current.isEmpty() || !at.isAfter(current.get().effectiveFrom())) {
            throw new BillingConflictException("override-not-in-force", "the override does not price its charge at "
                    + at + " (or starts there): there is nothing to end");
        }
        OverrideVersion v = current.get().endingAt(at, last.version() + 1, text(body, "reason").orElse("ended"), now());
        insert(tenant, v);
        return v;
    }

    /** Every override of a subscription: its versions, oldest first. */
    public List<List<OverrideVersion>> overrides(String tenant, String subscriptionId) {
        Subscription s = subscriptions.subscription(tenant, subscriptionId);
        Map<String, List<OverrideVersion>> by = new LinkedHashMap<>();
        store.versions(tenant, s.id()).forEach(v -> by.computeIfAbsent(v.overrideId(), k -> new ArrayList<>()).add(v));
        return List.copyOf(by.values());
    }

    /** The versions of one override, oldest first (404 when there is no such override on the subscription). */
    public List<OverrideVersion> versions(String tenant, String subscriptionId, String overrideId) {
        List<OverrideVersion> v = store.versions(tenant, subscriptionId).stream()
                .filter(x -> x.overrideId().equals(overrideId)).toList();
        if (v.isEmpty()) {
            throw new BillingNotFoundException("no override '" + overrideId + "' on subscription '" + subscriptionId + "'");
        }
        return v;
    }

    /** The version of an override in force at {@code t}. */
    public Optional<OverrideVersion> inForce(List<OverrideVersion> versions, Instant t) {
        return new OverrideSchedule(versions).inForce(versions.get(0).chargeKey(), t);
    }

    private OverrideVersion version(Subscription s, String id, int version, String charge, JsonNode body) {
        Instant from = instant(body, "effective_from").orElse(now());
        Optional<Instant> to = instant(body, "effective_to");
        if (to.isPresent() && !to.get().isAfter(from)) {
            throw new ValidationException("effective_to", "must be after effective_from");
        }
        notInvoiced(s, from, "effective_from");
        OverrideTerms terms = DiscountJson.readTerms(body);
        Plan plan = subscriptions.plan(s.tenant(), s.phaseAt(from));
        Charge ch = plan.charge(charge).orElseThrow(() -> new ValidationException("charge", "no charge '" + charge
                + "' in plan " + plan.key() + " version " + plan.version()));
        try {
            if (terms.apply(ch).isEmpty()) {
                throw new ValidationException(terms.wireName(), ch instanceof dev.tally.core.billing.LicensedCharge
                        ? "'" + charge + "' is a licensed charge, which overrides do not price (yet)"
                        : terms instanceof OverrideTerms.Price
                        ? "a price model overrides a usage charge; '" + charge + "' is a flat fee (give amount)"
                        : "an amount overrides a flat fee; '" + charge + "' is a usage charge (give price)");
            }
        } catch (InvalidBillingException | InvalidPriceException e) {
            throw new ValidationException("price", "does not fit charge '" + charge + "'");
        }
        return new OverrideVersion(id, version, s.id(), charge, from, to, terms, text(body, "reason").orElse(""), now());
    }

    private void insert(String tenant, OverrideVersion v) {
        if (!store.insertVersion(tenant, v)) {
            throw new BillingConflictException("override-version-taken", "version " + v.version()
                    + " of this override was just added by another request; read the versions and try again");
        }
    }

    /** Changes reach no further back than the last invoiced boundary (finalized invoices are immutable). */
    private void notInvoiced(Subscription s, Instant t, String field) {
        List<Invoice> invoices = subscriptions.invoices(s.tenant(), s.id());
        Instant last = invoices.isEmpty() ? s.start() : invoices.get(invoices.size() - 1).boundary();
        if (t.isBefore(last)) {
            throw new ValidationException(field, "must not be before the subscription's last invoiced boundary (" + last + ")");
        }
    }

    // ---- coupons

    public Coupon createCoupon(String tenant, JsonNode body) {
        known(body, COUPON_FIELDS);
        String key = text(body, "key").orElseThrow(() -> new ValidationException("key", "is required"));
        Optional<BigDecimal> percent = body.hasNonNull("percent_off")
                ? Optional.of(DiscountJson.decimal(body, "percent_off")) : Optional.empty();
        Optional<Money> amount = Optional.empty();
        if (body.hasNonNull("amount_off")) {
            String code = text(body, "currency").orElseThrow(() -> new ValidationException("currency",
                    "is required with amount_off"));
            Currency currency;
            try {
                currency = Currency.getInstance(code);
            } catch (IllegalArgumentException e) {
                throw new ValidationException("currency", "is not an ISO 4217 code");
            }
            amount = Optional.of(new Money(DiscountJson.decimal(body, "amount_off"), currency));
        }
        CouponDuration duration = text(body, "duration").map(d -> CouponDuration.fromWireName(d).orElseThrow(() ->
                new ValidationException("duration", "must be once, repeating or forever"))).orElse(CouponDuration.ONCE);
        Optional<Integer> periods = body.hasNonNull("duration_periods")
                ? Optional.of(integer(body, "duration_periods")) : Optional.empty();
        Set<String> applies = new LinkedHashSet<>();
        if (body.hasNonNull("applies_to")) {
            if (!body.get("applies_to").isArray()) {
                throw new ValidationException("applies_to", "must be a list of charge keys");
            }
            body.get("applies_to").forEach(n -> applies.add(n.asText()));
        }
        Coupon k;
        try {
            k = new Coupon(key, text(body, "name").orElse(key), percent, amount, duration, periods, applies, now(),
                    Optional.empty());
        } catch (InvalidDiscountException e) {
            throw new ValidationException(e.field(), e.problem());
        }
        if (!store.insertCoupon(tenant, k)) {
            throw new BillingConflictException("coupon '" + key + "' exists");
        }
        return k;
    }

    public List<Coupon> coupons(String tenant) {
        return store.coupons(tenant, Optional.empty());
    }

    public Coupon coupon(String tenant, String key) {
        return store.coupons(tenant, Optional.of(key)).stream().findFirst()
                .orElseThrow(() -> new BillingNotFoundException("no coupon '" + key + "'"));
    }

    /** Archives a coupon: no new redemptions; existing ones keep running. */
    public Coupon archiveCoupon(String tenant, String key) {
        coupon(tenant, key);
        if (!store.archiveCoupon(tenant, key, now())) {
            throw new BillingConflictException("coupon '" + key + "' is archived already");
        }
        return coupon(tenant, key);
    }

    /** Applies a coupon to a subscription from {@code start} (default now). */
    public Redemption redeem(String tenant, String subscriptionId, JsonNode body) {
        known(body, Set.of("coupon", "start"));
        Subscription s = subscriptions.subscription(tenant, subscriptionId);
        String key = text(body, "coupon").orElseThrow(() -> new ValidationException("coupon", "is required"));
        Coupon k = store.coupons(tenant, Optional.of(key)).stream().findFirst()
                .orElseThrow(() -> new ValidationException("coupon", "no coupon '" + key + "'"));
        if (k.archivedAt().isPresent()) {
            throw new BillingConflictException("coupon-archived", "coupon '" + key + "' is archived");
        }
        Currency currency = subscriptions.plan(tenant, s.currentPhase()).currency();
        if (k.amountOff().isPresent() && !k.amountOff().get().currency().equals(currency)) {
            throw new ValidationException("coupon", "the coupon is in " + k.amountOff().get().currency()
                    + ", the subscription in " + currency);
        }
        Instant start = instant(body, "start").orElse(now());
        if (start.isBefore(s.start())) {
            throw new ValidationException("start", "must not be before the subscription starts");
        }
        Redemption r = new Redemption("red_" + UUID.randomUUID().toString().replace("-", ""), key, s.id(), start, now(),
                Optional.empty());
        store.insertRedemption(tenant, r);
        return r;
    }

    /**
     * Ends a redemption at {@code at} (default now; not before the last invoiced boundary nor its start): invoices
     * issued from then on are not discounted by it. 409 when it was ended already.
     */
    public Redemption endRedemption(String tenant, String subscriptionId, String redemptionId, JsonNode body) {
        known(body, Set.of("at"));
        Subscription s = subscriptions.subscription(tenant, subscriptionId);
        Redemption r = store.redemptions(tenant, s.id()).stream().filter(x -> x.id().equals(redemptionId)).findFirst()
                .orElseThrow(() -> new BillingNotFoundException("no discount '" + redemptionId + "' on subscription '"
                        + subscriptionId + "'"));
        Instant at = instant(body, "at").orElse(now());
        notInvoiced(s, at, "at");
        if (at.isBefore(r.start())) {
            throw new ValidationException("at", "must not be before the redemption's start (" + r.start() + ")");
        }
        if (!store.endRedemption(tenant, r.id(), at)) {
            throw new BillingConflictException("discount-ended", "this discount was ended already");
        }
        return store.redemptions(tenant, s.id()).stream().filter(x -> x.id().equals(redemptionId)).findFirst().orElseThrow();
    }

    public List<Redemption> redemptions(String tenant, String subscriptionId) {
        Subscription s = subscriptions.subscription(tenant, subscriptionId);
        return store.redemptions(tenant, s.id());
    }

    // ---- composition

    @Override
    public List<PricedPart> parts(Subscription s, Plan plan, Period segment) {
        return schedule(s).parts(plan, segment);
    }

    @Override
    public PricedPart at(Subscription s, Plan plan, Period period, Instant t) {
        return schedule(s).at(plan, period, t);
    }

    private OverrideSchedule schedule(Subscription s) {
        return new OverrideSchedule(store.versions(s.tenant(), s.id()));
    }

    /**
     * The coupons' discount lines: each redemption (in the order made) whose covered periods include the invoice's
     * period, on an invoice issued at or after its start. A fixed amount is per period: what other invoices of the
     * same period (an opening invoice and the first closing one) took of it is not given again.
     */
    @Override
    public List<InvoiceLine> discounts(Subscription s, Customer c, Period period, Instant boundary,
            List<InvoiceLine> lines) {
        List<Redemption> redemptions = store.redemptions(s.tenant(), s.id());
        if (redemptions.isEmpty() || lines.isEmpty()) {
            return List.of();
        }
        Plan first = subscriptions.plan(s.tenant(), s.phases().get(0));
        Map<String, Coupon> coupons = new LinkedHashMap<>();
        List<Invoice> others = null;
        List<Discount> discounts = new ArrayList<>();
        for (Redemption r : redemptions) {
            if (!r.activeAt(boundary)) {
                continue;
            }
            Coupon k = coupons.computeIfAbsent(r.couponKey(), key -> store.coupons(s.tenant(), Optional.of(key))
                    .stream().findFirst().orElseThrow());
            if (!covers(s, c.timezone(), first, r, k, period)) {
                continue;
            }
            Optional<Money> left = Optional.empty();
            if (k.amountOff().isPresent()) {
                if (others == null) {
                    others = subscriptions.invoices(s.tenant(), s.id()).stream()
                            .filter(i -> i.status() != InvoiceStatus.VOID && !i.boundary().equals(boundary)
                                    && i.period().equals(period)).toList();
                }
                LineSource source = LineSource.redemption(r.id(), k.key());
                BigDecimal taken = others.stream().map(i -> DiscountCalculator.takenBy(i.lines(), source))
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                Money rest = k.amountOff().get().minus(new Money(taken, c.currency()));
                if (rest.amount().signum() <= 0) {
                    continue;
                }
                left = Optional.of(rest);
            }
            discounts.add(k.discount(r, left));
        }
        return DiscountCalculator.apply(lines, discounts, c.currency(), period).lines();
    }

    /** Whether the redemption covers {@code period}: it is one of the coupon's periods from the one containing the start. */
    static boolean covers(Subscription s, ZoneId zone, Plan first, Redemption r, Coupon k, Period period) {
        Instant start = r.start().isBefore(s.start()) ? s.start() : r.start();
        Period p = BillingCalendar.periodContaining(s.start(), start, zone, first.interval(), s.anchor());
        if (period.start().isBefore(p.start())) {
            return false;
        }
        if (k.duration() == CouponDuration.FOREVER) {
            return true;
        }
        for (int i = 0; i < k.periodsCovered(); i++) {
            if (!p.start().isBefore(period.start())) {
                return p.start().equals(period.start());
            }
            p = BillingCalendar.next(s.start(), p, zone, first.interval(), s.anchor());
        }
        return false;
    }

    // ---- input

    private static void known(JsonNode body, Set<String> fields) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "must be a JSON object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw new ValidationException(f, "is not a known field");
            }
        }
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    private static int integer(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ValidationException(field, "must be an integer");
        }
        return n.asInt();
    }

    private static Optional<Instant> instant(JsonNode body, String field) {
        return text(body, field).map(v -> {
            try {
                return InstantInput.parse(v).truncatedTo(ChronoUnit.SECONDS);
            } catch (InvalidInputException e) {
                throw new ValidationException(field, e.problem());
            }
        });
    }
}
