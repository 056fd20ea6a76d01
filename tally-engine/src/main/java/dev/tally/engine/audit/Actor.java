package dev.tally.engine.audit;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who made a change: an API key (its id and name), a customer-portal token ({@code portal}, id the customer),
 * {@code system} (the server acting on an outside message) or {@code scheduler} (a scheduled run).
 */
public record Actor(String kind, Optional<String> id, Optional<String> name) {
    static final Set<String> KINDS = Set.of("key", "portal", "system", "scheduler");

    public Actor {
        Objects.requireNonNull(kind);
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("unknown actor kind " + kind);
        }
        Objects.requireNonNull(id);
        Objects.requireNonNull(name);
    }

    public static Actor key(String id, String name) {
        return new Actor("key", Optional.of(id), Optional.of(name));
    }

    public static Actor portal(String customer) {
        return new Actor("portal", Optional.of(customer), Optional.empty());
    }

    public static Actor system() {
        return new Actor("system", Optional.empty(), Optional.empty());
    }

    public static Actor scheduler() {
        return new Actor("scheduler", Optional.empty(), Optional.empty());
    }
}
