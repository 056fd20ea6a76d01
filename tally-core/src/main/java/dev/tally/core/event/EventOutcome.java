package dev.tally.core.event;

import java.util.Optional;

/**
 * What the reader made of one event of a request, in request order: either a
 * {@link Parsed} event (still subject to duplicate and meter checks) or a
 * {@link Rejected} one with its reason. Id and source are echoed back when the
 * event carried them as strings.
 */
public sealed interface EventOutcome {

    Optional<String> id();

    Optional<String> source();

    /** An event that passed every envelope and time rule. */
    record Parsed(UsageEvent event) implements EventOutcome {
        @Override
        public Optional<String> id() {
            return Optional.of(event.id());
        }

        @Override
        public Optional<String> source() {
            return Optional.of(event.source());
        }
    }

    /** An event that broke a rule; never stored. */
    record Rejected(Optional<String> id, Optional<String> source, RejectionReason reason, String detail)
            implements EventOutcome {
        public Rejected {
            java.util.Objects.requireNonNull(id);
            java.util.Objects.requireNonNull(source);
            java.util.Objects.requireNonNull(reason);
            java.util.Objects.requireNonNull(detail);
        }
    }
}
