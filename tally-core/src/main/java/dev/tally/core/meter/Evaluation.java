package dev.tally.core.meter;

import dev.tally.core.event.RejectionReason;
import java.util.List;
import java.util.Objects;

/**
 * How one event meets the meters in force at its time: the contributions it
 * makes (none means no meter matches it: it is stored and counted as
 * unmatched), or why it cannot be accepted (a meter needs a number it lacks).
 */
public sealed interface Evaluation {

    /** The event is acceptable; {@code contributions} may be empty (unmatched). */
    record Contributions(List<Contribution> contributions) implements Evaluation {
        public static final Contributions NONE = new Contributions(List.of());

        public Contributions {
            contributions = List.copyOf(contributions);
        }
    }

    /** The event must be rejected. */
    record Rejected(RejectionReason reason, String detail) implements Evaluation {
        public Rejected {
            Objects.requireNonNull(reason);
            Objects.requireNonNull(detail);
        }
    }
}
