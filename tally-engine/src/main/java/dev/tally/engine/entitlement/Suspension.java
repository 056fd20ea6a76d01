package dev.tally.engine.entitlement;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A customer's suspension now: every cause (an unpaid invoice) that suspended it and is not lifted yet, oldest first
 * (never empty). The customer's checks are denied at {@code t} when any cause denies at {@code t}: a {@code hard}
 * cause from its start, a {@code grace} cause from the end of its grace ({@code hardFrom}); {@code soft} causes never
 * deny.
 */
public record Suspension(String customer, List<Cause> causes) {
    /** One cause: the invoice, the mode, since when, and (grace) from when it denies. */
    public record Cause(String invoice, SuspensionMode mode, Instant since, Optional<Instant> hardFrom) {
        public Cause {
            Objects.requireNonNull(invoice);
            Objects.requireNonNull(mode);
            Objects.requireNonNull(since);
            Objects.requireNonNull(hardFrom);
            if (mode == SuspensionMode.GRACE && hardFrom.isEmpty()) {
                throw new IllegalArgumentException("a grace suspension has an end of grace");
            }
        }

        boolean deniesAt(Instant t) {
            return switch (mode) {
                case HARD -> !t.isBefore(since);
                case GRACE -> !t.isBefore(hardFrom.orElseThrow());
                case SOFT -> false;
            };
        }
    }

    public Suspension {
        Objects.requireNonNull(customer);
        causes = causes.stream().sorted(Comparator.comparing(Cause::since).thenComparing(Cause::invoice)).toList();
        if (causes.isEmpty()) {
            throw new IllegalArgumentException("a suspension has a cause");
        }
    }

    /** Whether checks at {@code t} are denied. */
    public boolean deniesAt(Instant t) {
        return causes.stream().anyMatch(c -> c.deniesAt(t));
    }

    /** The mode as it acts at {@code t}: {@code hard} when denying, else grace when a grace is running, else soft. */
    public SuspensionMode modeAt(Instant t) {
        if (deniesAt(t)) {
            return SuspensionMode.HARD;
        }
        return causes.stream().anyMatch(c -> c.mode() == SuspensionMode.GRACE) ? SuspensionMode.GRACE : SuspensionMode.SOFT;
    }

    /** The earliest end of grace among the grace causes that do not deny yet at {@code t}. */
    public Optional<Instant> graceEndsAt(Instant t) {
        return causes.stream().filter(c -> c.mode() == SuspensionMode.GRACE && !c.deniesAt(t))
                .map(c -> c.hardFrom().orElseThrow()).min(Comparator.naturalOrder());
    }
}
