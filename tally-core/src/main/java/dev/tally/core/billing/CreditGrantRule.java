package dev.tally.core.billing;

import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.Rollover;
import dev.tally.core.money.Money;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A recurring credit grant of a plan: at the start of every billing period of a subscription on the plan, a grant
 * of {@code amount} (positive, at the currency's minor unit) with {@code priority} (0..{@link Grant#MAX_PRIORITY}),
 * paying for {@code appliesTo} (charge keys of the plan; empty = every charge), funded as {@code funding}
 * ({@link Funding#FREE} or {@link Funding#PAID} with its {@code price}), expiring as {@code expiry} says, and
 * {@code rollover} at the next boundary. {@code reason} is the grant's reason (never blank).
 */
public record CreditGrantRule(Money amount, int priority, Set<String> appliesTo, Funding funding,
        Optional<Money> price, Expiry expiry, Rollover rollover, String reason) {

    /** Validates (see the type's guarantees); the charge keys are copied, sorted and unmodifiable. */
    public CreditGrantRule {
        Objects.requireNonNull(amount, "amount");
        if (amount.amount().signum() <= 0 || !amount.isRounded()) {
            throw new InvalidBillingException("amount", "must be positive and in the currency's minor unit");
        }
        if (priority < 0 || priority > Grant.MAX_PRIORITY) {
            throw new InvalidBillingException("priority", "must be 0.." + Grant.MAX_PRIORITY);
        }
        appliesTo = Collections.unmodifiableSet(new TreeSet<>(Objects.requireNonNull(appliesTo, "appliesTo")));
        Objects.requireNonNull(funding, "funding");
        if (funding != Funding.FREE && funding != Funding.PAID) {
            throw new InvalidBillingException("funding", "must be free or paid");
        }
        Objects.requireNonNull(price, "price");
        if (price.isPresent() != (funding == Funding.PAID)) {
            throw new InvalidBillingException("price", "must be given exactly for paid grants");
        }
        price.ifPresent(p -> {
            if (p.isNegative() || !p.isRounded() || !p.currency().equals(amount.currency())) {
                throw new InvalidBillingException("price", "must not be negative and be in the grant's currency");
            }
        });
        Objects.requireNonNull(expiry, "expiry");
        Objects.requireNonNull(rollover, "rollover");
        if (rollover instanceof Rollover.UpTo u && !u.cap().currency().equals(amount.currency())) {
            throw new InvalidBillingException("rollover.up_to", "must be in the grant's currency");
        }
        if (reason == null || reason.isBlank()) {
            throw new InvalidBillingException("reason", "must not be blank");
        }
    }

    /** When a recurring grant expires on its own, whatever its rollover: never, a duration after its period starts, or at the end of the next period. */
    public sealed interface Expiry {
        /** The grant's {@code expires_at} for a period starting at {@code periodStart}, the next period ending at {@code nextPeriodEnd}. */
        Optional<Instant> expiresAt(Instant periodStart, Instant nextPeriodEnd);

        /** The API spelling: {@code null} for never, an ISO-8601 duration, or {@code end_of_next_period}. */
        Optional<String> wireName();
    }

    /** The grant never expires on its own (only its rollover takes credits away). */
    public record Never() implements Expiry {
        @Override
        public Optional<Instant> expiresAt(Instant periodStart, Instant nextPeriodEnd) {
            return Optional.empty();
        }

        @Override
        public Optional<String> wireName() {
            return Optional.empty();
        }
    }

    /** The grant expires {@code after} (positive, whole seconds) its period's start. */
    public record After(Duration after) implements Expiry {
        public After {
            Objects.requireNonNull(after, "after");
            if (after.isNegative() || after.isZero() || after.getNano() != 0) {
                throw new InvalidBillingException("expires_after", "must be a positive duration of whole seconds");
            }
        }

        @Override
        public Optional<Instant> expiresAt(Instant periodStart, Instant nextPeriodEnd) {
            return Optional.of(periodStart.plus(after));
        }

        @Override
        public Optional<String> wireName() {
            return Optional.of(after.toString());
        }
    }

    /** The grant expires at the end of the period after its own. */
    public record EndOfNextPeriod() implements Expiry {
        public static final String WIRE = "end_of_next_period";

        @Override
        public Optional<Instant> expiresAt(Instant periodStart, Instant nextPeriodEnd) {
            return Optional.of(nextPeriodEnd);
        }

        @Override
        public Optional<String> wireName() {
            return Optional.of(WIRE);
        }
    }
}
