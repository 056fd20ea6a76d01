package dev.tally.engine.providers;

import java.util.Objects;
import java.util.Optional;

/**
 * One finalized invoice in a provider's push queue: its state ({@link State}), how many attempts failed so far, the
 * provider's id of the remote invoice once it is known (recorded before the remote invoice is finished, so a
 * restart continues with it instead of creating another), and the last failure (the provider's own words, never
 * Tally's internals).
 */
public record PushJob(String tenant, String provider, String invoiceId, State state, int attempts,
        long nextAttemptMillis, Optional<String> remoteId, Optional<String> lastError) {
    public PushJob {
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(provider);
        Objects.requireNonNull(invoiceId);
        Objects.requireNonNull(state);
        Objects.requireNonNull(remoteId);
        Objects.requireNonNull(lastError);
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative");
        }
    }

    /** Where a queued invoice stands. */
    public enum State {
        /** To be pushed (again, after a failure, at {@code nextAttemptMillis}). */
        PENDING("pending"),
        /** At the provider, finalized there; nothing more to push. */
        PUSHED("pushed"),
        /** Never pushed: finalized before the account was connected, or nothing to collect. */
        SKIPPED("skipped");

        private final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static State of(String s) {
            for (State v : values()) {
                if (v.wireName.equals(s)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown push state " + s);
        }
    }
}
