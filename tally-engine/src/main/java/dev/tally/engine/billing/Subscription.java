package dev.tally.engine.billing;

import dev.tally.core.billing.BillingAnchor;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A customer's subscription: when it started, how periods are anchored, the
 * trial's end, when it ends (if cancelled), its phases (one per plan it has
 * been on, contiguous, in order) and the next boundary at which an invoice is due.
 */
public record Subscription(String id, String tenant, String customer, BillingAnchor anchor, Instant start,
        Optional<Instant> trialEnd, Optional<Instant> end, List<Phase> phases, Instant nextBoundary,
        Instant createdAt) {
    public Subscription {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(customer);
        Objects.requireNonNull(anchor);
        Objects.requireNonNull(start);
        Objects.requireNonNull(trialEnd);
        Objects.requireNonNull(end);
        phases = List.copyOf(phases);
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a subscription has at least one phase");
        }
        Objects.requireNonNull(nextBoundary);
        Objects.requireNonNull(createdAt);
    }

    /** The phase in force at an instant (the last one for instants after the end). */
    public Phase phaseAt(Instant t) {
        Phase found = phases.get(0);
        for (Phase p : phases) {
            if (!p.start().isAfter(t)) {
                found = p;
            }
        }
        return found;
    }

    public Phase currentPhase() {
        return phases.get(phases.size() - 1);
    }

    /** Active (not ended) at an instant. */
    public boolean activeAt(Instant t) {
        return !t.isBefore(start) && (end.isEmpty() || t.isBefore(end.get()));
    }

    public String status(Instant now) {
        if (end.isPresent() && !now.isBefore(end.get())) {
            return "ended";
        }
        if (trialEnd.isPresent() && now.isBefore(trialEnd.get())) {
            return "trialing";
        }
        return end.isPresent() ? "canceling" : "active";
    }

    Subscription with(List<Phase> newPhases, Optional<Instant> newEnd, Instant newNextBoundary) {
        return new Subscription(id, tenant, customer, anchor, start, trialEnd, newEnd, newPhases, newNextBoundary,
                createdAt);
    }
}
