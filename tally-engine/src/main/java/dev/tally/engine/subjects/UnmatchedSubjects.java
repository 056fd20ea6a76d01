package dev.tally.engine.subjects;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.CustomerRecord;
import dev.tally.engine.notify.Outbox;
import dev.tally.engine.notify.WebhookEventTypes;
import dev.tally.engine.store.Database;
import dev.tally.engine.usage.SubjectActivity;
import dev.tally.engine.usage.UsageStore;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The subjects of stored events that match no customer (none with that external id, or an archived one): such
 * events will never be billed. Guarantees: {@link #list} is computed at the time of the call from the live usage
 * and the customers (so a customer created later stops its subject from being listed, and archiving one starts
 * it); {@link #announceNew} records at most one {@code events.unknown_subject} message per tenant and subject,
 * ever, in the same transaction as the note that it did (several processes never announce a subject twice).
 */
public final class UnmatchedSubjects {
    private final UsageStore usage;
    private final Billing billing;
    private final Database db;
    private final Clock clock;
    private final Runnable sync;
    private final Supplier<List<String>> tenants;

    /** For the engine: the live usage, the customers, the database of the outbox, and how to catch up first. */
    public UnmatchedSubjects(UsageStore usage, Billing billing, Database db, Clock clock, Runnable sync,
            Supplier<List<String>> tenants) {
        this.usage = usage;
        this.billing = billing;
        this.db = db;
        this.clock = clock;
        this.sync = sync;
        this.tenants = tenants;
    }

    /** The unmatched subjects of a tenant, most events first. */
    public List<SubjectActivity> list(String tenant) {
        sync.run();
        Set<String> known = new HashSet<>();
        for (CustomerRecord r : billing.customerRecords().records(tenant)) {
            if (!r.archived()) {
                known.add(r.customer().externalId());
            }
        }
        return usage.subjectsOtherThan(tenant, known);
    }

    /**
     * Records an {@code events.unknown_subject} message for each unmatched subject not announced before, in every
     * tenant; returns how many were recorded.
     */
    public int announceNew() {
        int recorded = 0;
        for (String tenant : tenants.get()) {
            for (SubjectActivity s : list(tenant)) {
                if (announce(tenant, s)) {
                    recorded++;
                }
            }
        }
        return recorded;
    }

    private boolean announce(String tenant, SubjectActivity s) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO unknown_subject_notices (tenant_id, subject, "
                    + "notified_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, tenant);
                ps.setString(2, s.subject());
                ps.setString(3, now.toString());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("subject", s.subject());
            data.put("events", s.events());
            data.put("first_seen", s.firstSeen().toString());
            data.put("last_seen", s.lastSeen().toString());
            data.put("reason", "no customer has this external id (or it is archived): these events will not be billed");
            Outbox.record(c, tenant, WebhookEventTypes.EVENTS_UNKNOWN_SUBJECT, data, now);
            return true;
        });
    }
}
