package dev.tally.engine.credit.live;

import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Currency;
import java.util.Objects;
import java.util.Optional;

/**
 * A feature that requires a positive live balance in a wallet (the customer's currency unless {@code currency} is
 * set), enforced as {@code mode} says ({@link #allows}): {@link Mode#HARD} denies from the moment the live balance
 * is zero; {@link Mode#GRACE} allows an overdraft, denying once the estimated charges beyond the credits (the
 * shortfall) reach {@code graceAmount}; {@link Mode#SOFT} never denies and reports the depletion. A customer without
 * a wallet in that currency is left as its plan says, or denied with {@code denyWithoutWallet}. Guarantees: a grace
 * amount that is positive exactly in grace mode (zero otherwise).
 */
public record BalanceRequirement(String feature, Optional<Currency> currency, Mode mode, BigDecimal graceAmount,
        boolean denyWithoutWallet, Instant createdAt) {

    /** How the requirement is enforced. */
    public enum Mode {
        HARD("hard"), SOFT("soft"), GRACE("grace");

        private final String wireName;

        Mode(String wireName) {
            this.wireName = wireName;
        }

        /** The API spelling. */
        public String wireName() {
            return wireName;
        }

        /** The mode with this API spelling, or empty. */
        public static Optional<Mode> fromWireName(String name) {
            return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
        }
    }

    /** Validates (see the type's guarantees). */
    public BalanceRequirement {
        Objects.requireNonNull(feature, "feature");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(graceAmount, "graceAmount");
        Objects.requireNonNull(createdAt, "createdAt");
        if (mode == Mode.GRACE && graceAmount.signum() <= 0) {
            throw new ValidationException("grace_amount", "is required in grace mode: a positive amount");
        }
        if (mode != Mode.GRACE && graceAmount.signum() != 0) {
            throw new ValidationException("grace_amount", "applies only in grace mode");
        }
    }

    /**
     * Whether a wallet with this live balance and shortfall lets the feature be used: soft always; hard while the
     * live balance is positive; grace while the live balance is positive or the shortfall is below the grace.
     */
    public boolean allows(LiveWallet w) {
        return switch (mode) {
            case SOFT -> true;
            case HARD -> !w.depleted();
            case GRACE -> !w.depleted() || w.shortfall().amount().compareTo(graceAmount) < 0;
        };
    }
}
