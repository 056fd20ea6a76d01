package dev.tally.core.analytics;

import java.time.Instant;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What analytics needs of a subscription: whose it is, its currency, when it runs ({@code end} exclusive, empty while
 * not cancelled) and the plans it has been on, in order of start. Guarantees: at least one span, spans sorted, the
 * end (if any) not before the start.
 */
public record SubscriptionFact(String subscription, String customer, Currency currency, Instant start,
        Optional<Instant> end, List<PlanSpan> spans) {
    public SubscriptionFact {
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        spans = spans.stream().sorted(Comparator.comparing(PlanSpan::start)).toList();
        if (spans.isEmpty()) {
            throw new IllegalArgumentException("a subscription has at least one plan span");
        }
        if (end.isPresent() && end.get().isBefore(start)) {
            throw new IllegalArgumentException("end before start");
        }
    }

    /** Running at instant {@code t}: started and not ended. */
    boolean activeAt(Instant t) {
        return !t.isBefore(start) && (end.isEmpty() || t.isBefore(end.get()));
    }

    /** The span in force at {@code t} (the first one before the first start). */
    PlanSpan spanAt(Instant t) {
        PlanSpan found = spans.get(0);
        for (PlanSpan s : spans) {
            if (!s.start().isAfter(t)) {
                found = s;
            }
        }
        return found;
    }
}
