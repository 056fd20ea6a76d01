package dev.tally.core.discount;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of a price override of a subscription's charge: its terms from {@code effectiveFrom} until
 * {@code effectiveTo} (exclusive; open when empty). Versions are only ever added: version {@code n + 1} takes effect
 * at its own {@code effectiveFrom} and replaces every earlier version from then on (see {@link OverrideSchedule}).
 * Guarantees a non-blank id and charge key, a version of at least 1, and an end after the start.
 */
public record OverrideVersion(String overrideId, int version, String subscriptionId, String chargeKey,
        Instant effectiveFrom, Optional<Instant> effectiveTo, OverrideTerms terms, String reason, Instant createdAt) {

    /** Validates (see the type's guarantees). */
    public OverrideVersion {
        if (overrideId == null || overrideId.isBlank()) {
            throw new InvalidDiscountException("id", "must not be blank");
        }
        if (version < 1) {
            throw new InvalidDiscountException("version", "must be at least 1, got " + version);
        }
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        if (chargeKey == null || chargeKey.isBlank()) {
            throw new InvalidDiscountException("charge", "is required");
        }
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        Objects.requireNonNull(effectiveTo, "effectiveTo");
        if (effectiveTo.isPresent() && !effectiveTo.get().isAfter(effectiveFrom)) {
            throw new InvalidDiscountException("effective_to", "must be after effective_from");
        }
        Objects.requireNonNull(terms, "terms");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether this version's own range covers {@code t}. */
    public boolean covers(Instant t) {
        return !t.isBefore(effectiveFrom) && (effectiveTo.isEmpty() || t.isBefore(effectiveTo.get()));
    }

    /** The same terms, ending at {@code at}, as version {@code next}. */
    public OverrideVersion endingAt(Instant at, int next, String why, Instant now) {
        return new OverrideVersion(overrideId, next, subscriptionId, chargeKey, effectiveFrom, Optional.of(at), terms,
                why, now);
    }
}
