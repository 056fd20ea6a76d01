package dev.tally.engine.archive;

import dev.tally.engine.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Optional;

/**
 * The start of the earliest invoice period not yet finalized, over every subscription of every tenant: for each
 * subscription, the boundary of its last finalized (or voided) invoice, else its start, unless it has ended at or
 * before that boundary (nothing of it is still open). Drafts do not count as invoiced: their period is still open.
 */
public final class OpenPeriods {
    private final Database db;

    public OpenPeriods(Database db) {
        this.db = db;
    }

    /** The earliest open period's start; empty when no subscription has an open period. */
    public Optional<Instant> earliestStart() {
        return db.inTransaction(c -> {
            Instant earliest = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT s.start_at, s.end_at, (SELECT MAX(i.boundary_at) "
                    + "FROM invoices i WHERE i.tenant_id = s.tenant_id AND i.subscription_id = s.id "
                    + "AND i.status <> 'draft') FROM subscriptions s");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String invoiced = rs.getString(3);
                    Instant open = Instant.parse(invoiced != null ? invoiced : rs.getString(1));
                    String end = rs.getString(2);
                    if (end != null && !Instant.parse(end).isAfter(open)) {
                        continue;
                    }
                    if (earliest == null || open.isBefore(earliest)) {
                        earliest = open;
                    }
                }
            }
            return Optional.ofNullable(earliest);
        });
    }
}
