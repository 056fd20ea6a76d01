package dev.tally.core.ledger;

import dev.tally.core.money.Money;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A block of credits in one wallet: {@code amount} (positive, at the currency's minor unit) usable from
 * {@code effectiveFrom} until {@code expiresAt} (exclusive; none = never expires), drawn in {@code priority} order
 * (lower first), paying for the charges in {@code charges} only (empty = every charge of an invoice), funded as
 * {@code funding} ({@code price} is present exactly for {@link Funding#PAID}, in the same currency, not negative).
 * {@code reason} says why it was granted and {@code source} who or what granted it (an API key, an invoice).
 *
 * <p>{@link #DRAWDOWN_ORDER} is the order in which several usable grants pay: priority, then the soonest expiry
 * (a grant that never expires last), then the oldest (effective from, then created, then id).
 */
public record Grant(String id, Money amount, int priority, Instant effectiveFrom, Optional<Instant> expiresAt,
        Set<String> charges, Funding funding, Optional<Money> price, String reason, String source, Instant createdAt) {

    /** The highest priority number accepted (lower numbers are drawn first). */
    public static final int MAX_PRIORITY = 1000;
    /** The priority of a grant that does not say. */
    public static final int DEFAULT_PRIORITY = 100;

    /** Priority, then soonest expiry (never-expiring last), then oldest, then id: a total order. */
    public static final Comparator<Grant> DRAWDOWN_ORDER = Comparator.comparingInt(Grant::priority)
            .thenComparing(g -> g.expiresAt().orElse(Instant.MAX))
            .thenComparing(Grant::effectiveFrom)
            .thenComparing(Grant::createdAt)
            .thenComparing(Grant::id);

    /** Validates (see the type's guarantees); the charge keys are copied, sorted and unmodifiable. */
    public Grant {
        requireText(id, "id");
        Objects.requireNonNull(amount, "amount");
        if (amount.amount().signum() <= 0 || !amount.isRounded()) {
            throw new InvalidLedgerException("amount", "must be positive and in the minor unit of "
                    + amount.currency().getCurrencyCode() + ", got " + amount.plainString());
        }
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new InvalidLedgerException("priority", "must be 0.." + MAX_PRIORITY + ", got " + priority);
        }
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(effectiveFrom)) {
            throw new InvalidLedgerException("expires_at", "must be after effective_from (" + effectiveFrom + ")");
        }
        Objects.requireNonNull(charges, "charges");
        for (String c : charges) {
            requireText(c, "applies_to");
        }
        charges = java.util.Collections.unmodifiableSet(new TreeSet<>(charges));
        Objects.requireNonNull(funding, "funding");
        Objects.requireNonNull(price, "price");
        if (price.isPresent() != (funding == Funding.PAID)) {
            throw new InvalidLedgerException("price", "must be given exactly for paid grants");
        }
        if (price.isPresent() && (price.get().isNegative() || !price.get().isRounded()
                || !price.get().currency().equals(amount.currency()))) {
            throw new InvalidLedgerException("price", "must not be negative and be in the minor unit of "
                    + amount.currency().getCurrencyCode());
        }
        Objects.requireNonNull(reason, "reason");
        requireText(source, "source");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether the grant pays for every charge (not only a list). */
    public boolean appliesToAllCharges() {
        return charges.isEmpty();
    }

    /** Whether the grant may pay for a charge. */
    public boolean appliesTo(String chargeKey) {
        return charges.isEmpty() || charges.contains(chargeKey);
    }

    /** Whether credits of the grant may be drawn at {@code at}: effective, and not expired. */
    public boolean usableAt(Instant at) {
        return !at.isBefore(effectiveFrom) && expiresAt.map(at::isBefore).orElse(true);
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidLedgerException(field, "must not be blank");
        }
    }
}
