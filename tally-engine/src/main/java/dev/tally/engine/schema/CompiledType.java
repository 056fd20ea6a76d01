package dev.tally.engine.schema;

import com.networknt.schema.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every version of one event type's schema, compiled once, ordered for the question ingest asks: which version is in
 * force at an instant (the highest version whose {@code effective_from} is not after it). Immutable; thread-safe.
 */
final class CompiledType {
    /**
     * One version with its compiled schema (empty for a retirement) and, for a schema of the simple subset, the
     * {@link PassCheck} that confirms most passing events without the validator.
     */
    record Compiled(SchemaVersion version, Optional<Schema> schema, Optional<PassCheck> quick) {
        Compiled(SchemaVersion version, Optional<Schema> schema) {
            this(version, schema, schema.isEmpty() ? Optional.empty() : version.schema().flatMap(PassCheck::of));
        }
    }

    private final List<Compiled> byEffectiveTime;
    private final List<SchemaVersion> versions;

    CompiledType(List<Compiled> compiled) {
        List<Compiled> sorted = new ArrayList<>(compiled);
        sorted.sort(Comparator.comparing((Compiled c) -> c.version().effectiveFrom())
                .thenComparingInt(c -> c.version().version()));
        this.byEffectiveTime = List.copyOf(sorted);
        this.versions = compiled.stream().map(Compiled::version)
                .sorted(Comparator.comparingInt(SchemaVersion::version)).toList();
    }

    /** The version in force at {@code at}, if any version is in force then (a retirement counts as one). */
    Optional<Compiled> inForceAt(Instant at) {
        // sorted by (effective_from, version): the last one not after `at` is the highest version then in force;
        // ingest asks about now, so this usually stops at the first look
        for (int i = byEffectiveTime.size() - 1; i >= 0; i--) {
            Compiled c = byEffectiveTime.get(i);
            if (!c.version().effectiveFrom().isAfter(at)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Every version, in version order. */
    List<SchemaVersion> versions() {
        return versions;
    }

    SchemaVersion latest() {
        return versions.get(versions.size() - 1);
    }

    /** The same type with one more version. */
    CompiledType with(Compiled added) {
        List<Compiled> all = new ArrayList<>(byEffectiveTime);
        all.add(added);
        return new CompiledType(all);
    }
}
