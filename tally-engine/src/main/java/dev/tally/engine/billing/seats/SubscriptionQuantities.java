package dev.tally.engine.billing.seats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.billing.LicensedCharge;
import dev.tally.core.billing.Plan;
import dev.tally.core.billing.seat.QuantityChange;
import dev.tally.core.billing.seat.QuantityHistory;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InstantInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.billing.BillingConflictException;
import dev.tally.engine.billing.Phase;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.billing.UsageSource;
import dev.tally.engine.store.Database;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The quantities of subscriptions' licensed charges (seats, projects, nodes): each change is an immutable fact,
 * {@code {charge, quantity, effective_at}}, recorded in order and never edited. Rules of {@link #record}:
 * <ul>
 *   <li>the charge is a licensed charge with an API quantity of the plan in force at {@code effective_at};</li>
 *   <li>the quantity is a whole number from 0 to 10<sup>12</sup>;</li>
 *   <li>{@code effective_at} (default: now, to the second) lies in the subscription's life, from its start and
 *       before its end;</li>
 *   <li>it is after the boundary of the subscription's last invoice that is no longer a draft: a finalized period
 *       is never repriced, so a backdated change into it is refused (409 {@code quantity-before-finalized}); a
 *       draft is recomposed in its grace period and picks the change up.</li>
 * </ul>
 * A change is checked and stored under the tenant's billing-run lock, so a run cannot finalize the invoice it would
 * change in between, in this process or another on the same PostgreSQL.
 */
public final class SubscriptionQuantities {
    /** The largest quantity accepted. */
    public static final BigDecimal MAX_QUANTITY = BigDecimal.TEN.pow(12);
    private static final Set<String> FIELDS = Set.of("charge", "quantity", "effective_at");

    /** What the quantities need from billing. */
    public interface Access {
        /** The subscription, or a not-found exception. */
        Subscription subscription(String tenant, String id);

        /** The plan version of a phase. */
        Plan plan(String tenant, Phase phase);

        /** The boundary of the subscription's last invoice that is finalized, paid or void, if any. */
        Optional<Instant> lastClosedBoundary(String tenant, String subscriptionId);

        /** Runs work under the tenant's billing-run lock. */
        <T> T locked(String tenant, Supplier<T> work);
    }

    private final QuantityStore store;
    private final Clock clock;
    private final Access access;

    public SubscriptionQuantities(Database db, Clock clock, Access access) {
        this.store = new QuantityStore(db);
        this.clock = clock;
        this.access = access;
    }

    /** The lines of licensed charges for the invoice composer, reading meters from {@code usage}. */
    public SeatLines lines(UsageSource usage) {
        return new SeatLines(store, usage, access::plan);
    }

    /** The history of a subscription's quantities (every change, in effective order). */
    public QuantityHistory history(String tenant, String subscriptionId) {
        Subscription s = access.subscription(tenant, subscriptionId);
        return store.history(tenant, s.id());
    }

    /**
     * Records a change from a body {@code {"charge":"seats","quantity":"12","effective_at":"..."}} (see the type's
     * rules); returns it as stored.
     *
     * @throws ValidationException for a bad field
     * @throws BillingConflictException ({@code quantity-before-finalized}) for a change into a closed period
     */
    public QuantityChange record(String tenant, String subscriptionId, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "must be a JSON object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new ValidationException(f, "is not a known field");
            }
        }
        String charge = text(body, "charge").orElseThrow(() -> new ValidationException("charge", "is required"));
        JsonNode q = body.get("quantity");
        if (q == null || q.isNull()) {
            throw new ValidationException("quantity", "is required");
        }
        BigDecimal quantity;
        try {
            quantity = DecimalInput.of(q, DecimalInput.AMOUNTS);
        } catch (InvalidInputException e) {
            throw new ValidationException("quantity", e.problem());
        }
        if (quantity.signum() < 0 || quantity.compareTo(MAX_QUANTITY) > 0 || quantity.stripTrailingZeros().scale() > 0) {
            throw new ValidationException("quantity", "must be a whole number from 0 to " + MAX_QUANTITY.toPlainString()
                    + ", got " + quantity.toPlainString());
        }
        BigDecimal whole = quantity.setScale(0);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant at = text(body, "effective_at").map(v -> {
            try {
                return InstantInput.parse(v).truncatedTo(ChronoUnit.SECONDS);
            } catch (InvalidInputException e) {
                throw new ValidationException("effective_at", e.problem());
            }
        }).orElse(now);
        return access.locked(tenant, () -> {
            Subscription s = access.subscription(tenant, subscriptionId);
            if (at.isBefore(s.start()) || s.end().isPresent() && !at.isBefore(s.end().get())) {
                throw new ValidationException("effective_at", "must be within the subscription, from its start "
                        + s.start() + s.end().map(e -> " and before its end " + e).orElse(""));
            }
            Plan plan = access.plan(tenant, s.phaseAt(at));
            boolean licensed = plan.charge(charge).filter(LicensedCharge.class::isInstance)
                    .map(LicensedCharge.class::cast).filter(LicensedCharge::setThroughApi).isPresent();
            if (!licensed) {
                throw new ValidationException("charge", "plan " + plan.key() + " version " + plan.version()
                        + " (in force at " + at + ") has no licensed charge '" + charge + "' with a quantity set"
                        + " through the API");
            }
            Optional<Instant> closed = access.lastClosedBoundary(tenant, s.id());
            if (closed.isPresent() && !at.isAfter(closed.get())) {
                throw new BillingConflictException("quantity-before-finalized", "effective_at must be after "
                        + closed.get() + ", the boundary of the subscription's last finalized invoice: a finalized"
                        + " period is never repriced");
            }
            return store.insert(tenant, s.id(), "qch_" + UUID.randomUUID().toString().replace("-", ""), charge,
                    whole, at, now);
        });
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw new ValidationException(field, "must be a string");
        }
        return Optional.of(n.textValue());
    }
}
