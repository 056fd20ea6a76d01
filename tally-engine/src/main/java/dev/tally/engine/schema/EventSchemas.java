package dev.tally.engine.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import dev.tally.core.event.EventOutcome;
import dev.tally.core.event.RejectionReason;
import dev.tally.core.event.UsageEvent;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versioned JSON Schemas (2020-12) of each tenant's event types, and their check on ingest.
 *
 * <p>Guarantees: a version is never edited or removed; a change is the next version (a retirement is a version
 * without a schema), and submitting the latest version's schema again stores nothing. A version is in force for the
 * events that <em>arrive</em> from its {@code effective_from} on (arrival time, not event time: the check happens on
 * ingest, and an event's own time may lie days back within the backdating window). {@link #validate} rejects an
 * event whose {@code data} the version in force refuses as {@code schema_violation}, naming path, keyword and
 * version; events of a type without a schema are returned untouched at the cost of one map read. Every version is
 * compiled once, when it is created or loaded. Stored events are never validated again (replay ignores schemas).
 * Thread-safe: ingest reads an immutable snapshot per tenant; changes are serialized in this process and, between
 * processes on one database, by the table's primary key ({@link #refresh} picks up other processes' changes).
 */
public final class EventSchemas {
    private static final Logger LOG = LoggerFactory.getLogger(EventSchemas.class);
    static final int MAX_TYPE_LENGTH = 256;

    /** One tenant's compiled schemas, and how many versions it had when loaded. */
    private record Snapshot(long count, Map<String, CompiledType> types) {
    }

    private final SchemaStore store;
    private final SchemaCompiler compiler = new SchemaCompiler();
    private final Clock clock;
    private final ConcurrentHashMap<String, Snapshot> byTenant = new ConcurrentHashMap<>();

    public EventSchemas(Database db, Clock clock) {
        this.store = new SchemaStore(db);
        this.clock = clock;
        store.counts().keySet().forEach(tenant -> load(tenant, store.all(tenant)));
    }

    /**
     * Adds a version of the type's schema, in force from {@code effectiveFrom} (default now; never in the past, and
     * not before the latest version's). The latest version's schema again (without another effective time) is a
     * no-op that returns that version. Throws {@link InvalidSchemaException} for a document that is not a 2020-12
     * schema, {@link ValidationException} for a bad type or time, {@link SchemaConflictException} for the latest
     * schema again with another effective time.
     */
    public synchronized SchemaChange add(String tenant, String type, JsonNode schema, Optional<Instant> effectiveFrom) {
        checkType(type);
        Schema compiled = compiler.compile(schema);
        Optional<SchemaVersion> latest = reload(tenant, type);
        if (latest.isPresent() && latest.get().schema().filter(schema::equals).isPresent()) {
            if (effectiveFrom.isEmpty() || effectiveFrom.get().equals(latest.get().effectiveFrom())) {
                return new SchemaChange(latest.get(), false);
            }
            throw new SchemaConflictException("version " + latest.get().version() + " already has this schema, in "
                    + "force from " + latest.get().effectiveFrom() + "; a new version needs a different schema");
        }
        return append(tenant, type, Optional.of(schema), Optional.of(compiled), effectiveFrom, latest);
    }

    /**
     * Retires the type's schema now: appends a version without a schema, after which its events are not validated.
     * Retiring a retired schema is a no-op that returns the retirement. Throws {@link SchemaNotFoundException} when
     * the type never had a schema, {@link SchemaConflictException} while the latest version is still scheduled.
     */
    public synchronized SchemaChange retire(String tenant, String type) {
        checkType(type);
        SchemaVersion latest = reload(tenant, type).orElseThrow(() -> new SchemaNotFoundException(
                "event type '" + type + "' has no schema"));
        if (latest.retired()) {
            return new SchemaChange(latest, false);
        }
        if (latest.effectiveFrom().isAfter(clock.instant())) {
            throw new SchemaConflictException("version " + latest.version() + " takes effect at "
                    + latest.effectiveFrom() + "; retire the schema once it is in force");
        }
        return append(tenant, type, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(latest));
    }

    private SchemaChange append(String tenant, String type, Optional<JsonNode> schema, Optional<Schema> compiled,
            Optional<Instant> effectiveFrom, Optional<SchemaVersion> latest) {
        Instant now = clock.instant();
        Instant from = effectiveFrom.orElse(now);
        if (from.isBefore(now)) {
            throw new ValidationException("effective_from", "must not be in the past: a schema version applies to "
                    + "events as they arrive, from now or later");
        }
        if (latest.isPresent() && from.isBefore(latest.get().effectiveFrom())) {
            throw new ValidationException("effective_from", "must not be before version " + latest.get().version()
                    + "'s (" + latest.get().effectiveFrom() + ")");
        }
        SchemaVersion v = new SchemaVersion(type, latest.map(SchemaVersion::version).orElse(0) + 1, schema, from, now);
        store.insert(tenant, v);
        Snapshot before = byTenant.getOrDefault(tenant, new Snapshot(0, Map.of()));
        Map<String, CompiledType> types = new HashMap<>(before.types());
        CompiledType.Compiled added = new CompiledType.Compiled(v, compiled);
        types.merge(type, new CompiledType(List.of(added)), (old, one) -> old.with(added));
        byTenant.put(tenant, new Snapshot(before.count() + 1, Map.copyOf(types)));
        LOG.info("event type {} of tenant {}: schema v{} {}, in force from {}", type, tenant, v.version(),
                v.retired() ? "retires the schema" : "stored", from);
        return new SchemaChange(v, true);
    }

    /** Reloads the tenant from the store (another process may have added versions); the type's latest version. */
    private Optional<SchemaVersion> reload(String tenant, String type) {
        Map<String, List<SchemaVersion>> all = store.all(tenant);
        load(tenant, all);
        List<SchemaVersion> versions = all.getOrDefault(type, List.of());
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    /** Every version of the type's schema, oldest first; empty when it never had one. */
    public List<SchemaVersion> versions(String tenant, String type) {
        Snapshot s = byTenant.get(tenant);
        CompiledType t = s == null ? null : s.types().get(type);
        return t == null ? List.of() : t.versions();
    }

    /** One version of the type's schema. */
    public Optional<SchemaVersion> version(String tenant, String type, int version) {
        return versions(tenant, type).stream().filter(v -> v.version() == version).findFirst();
    }

    /** The version in force now (possibly a retirement), if any. */
    public Optional<SchemaVersion> inForce(String tenant, String type) {
        Snapshot s = byTenant.get(tenant);
        CompiledType t = s == null ? null : s.types().get(type);
        return t == null ? Optional.empty() : t.inForceAt(clock.instant()).map(CompiledType.Compiled::version);
    }

    /**
     * The outcomes with every parsed event whose data the schema in force refuses replaced by a rejection
     * ({@code schema_violation}); the same list when nothing was refused.
     */
    public List<EventOutcome> validate(String tenant, List<EventOutcome> outcomes) {
        Snapshot s = byTenant.get(tenant);
        if (s == null) {
            return outcomes;
        }
        Instant arrival = clock.instant();
        List<EventOutcome> out = null;
        for (int i = 0; i < outcomes.size(); i++) {
            if (!(outcomes.get(i) instanceof EventOutcome.Parsed p)) {
                continue;
            }
            UsageEvent e = p.event();
            CompiledType t = s.types().get(e.type());
            if (t == null) {
                continue;
            }
            Optional<CompiledType.Compiled> c = t.inForceAt(arrival);
            if (c.isEmpty() || c.get().schema().isEmpty()) {
                continue;
            }
            if (c.get().quick().isPresent() && c.get().quick().get().passes(e.data())) {
                continue; // certainly passes: the validator would say the same
            }
            Optional<String> refused = check(c.get().schema().get(), e, c.get().version().version());
            if (refused.isPresent()) {
                if (out == null) {
                    out = new ArrayList<>(outcomes);
                }
                out.set(i, new EventOutcome.Rejected(Optional.of(e.id()), Optional.of(e.source()),
                        RejectionReason.SCHEMA_VIOLATION, refused.get()));
            }
        }
        return out == null ? outcomes : out;
    }

    private static Optional<String> check(Schema schema, UsageEvent e, int version) {
        List<com.networknt.schema.Error> errors;
        try {
            errors = schema.validate(Trees.copy(e.data()));
        } catch (RuntimeException failure) {
            if (tooSlow(failure)) {
                return Optional.of("$.data: pattern: a pattern of the schema took too long to match this event's data "
                        + "(schema v" + version + ")");
            }
            LOG.warn("schema v{} of event type {} could not be evaluated", version, e.type(), failure);
            return Optional.of("$.data: the schema could not be evaluated for this event (schema v" + version + ")");
        }
        return errors.isEmpty() ? Optional.empty() : Optional.of(Violations.detail(errors, version));
    }

    private static boolean tooSlow(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BoundedRegularExpressions.RegexTooSlowException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Picks up the versions other processes stored (shared PostgreSQL): reloads each tenant whose number of stored
     * versions changed. Cheap when nothing changed (one grouped count).
     */
    public void refresh() {
        store.counts().forEach((tenant, count) -> {
            Snapshot s = byTenant.get(tenant);
            if (s == null || s.count() != count) {
                synchronized (this) {
                    load(tenant, store.all(tenant));
                }
            }
        });
    }

    private void load(String tenant, Map<String, List<SchemaVersion>> all) {
        if (all.isEmpty()) {
            byTenant.remove(tenant);
            return;
        }
        Map<String, CompiledType> types = new HashMap<>();
        long count = 0;
        for (Map.Entry<String, List<SchemaVersion>> t : all.entrySet()) {
            List<CompiledType.Compiled> compiled = new ArrayList<>();
            for (SchemaVersion v : t.getValue()) {
                compiled.add(new CompiledType.Compiled(v, v.schema().flatMap(doc -> compileStored(tenant, v, doc))));
                count++;
            }
            types.put(t.getKey(), new CompiledType(compiled));
        }
        byTenant.put(tenant, new Snapshot(count, Map.copyOf(types)));
    }

    private Optional<Schema> compileStored(String tenant, SchemaVersion v, JsonNode doc) {
        try {
            return Optional.of(compiler.compile(doc));
        } catch (InvalidSchemaException e) {
            // it compiled when it was stored; a validator upgrade that refuses it must not stop ingest
            LOG.error("stored schema v{} of event type {} (tenant {}) no longer compiles, events are not validated "
                    + "against it: {}", v.version(), v.eventType(), tenant, e.getMessage());
            return Optional.empty();
        }
    }

    private static void checkType(String type) {
        if (type.isBlank() || type.length() > MAX_TYPE_LENGTH) {
            throw new ValidationException("type", "must be an event type of 1 to " + MAX_TYPE_LENGTH + " characters");
        }
    }
}
