package dev.tally.engine.billing;

import dev.tally.engine.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a billing run reads to decide which drafts to compose again: the billing-input versions the store's triggers
 * keep (V35_1), and the tenant's open drafts a page at a time by (boundary, id), without their lines.
 */
final class RatingStore {
    /** The key a page of open drafts starts after. */
    record Key(Instant boundary, String id) {
    }

    /** An open draft as a run pages through them: enough to tell whether it must be composed or finalized. */
    record OpenDraft(String id, String subscriptionId, String customer, Instant boundary, Instant finalizeAfter,
            Optional<Rating> rating, long customerVersion) {
        Key key() {
            return new Key(boundary, id);
        }
    }

    private final Database db;

    RatingStore(Database db) {
        this.db = db;
    }

    /** The version of the tenant-wide billing inputs (plans, meters, coupons, billing settings). */
    long tenantVersion(String tenant) {
        return customerVersions(tenant, List.of("")).getOrDefault("", 0L);
    }

    /** The billing-input versions of customers (0 for one whose inputs never changed). */
    Map<String, Long> customerVersions(String tenant, Collection<String> customers) {
        Map<String, Long> out = new HashMap<>();
        if (customers.isEmpty()) {
            return out;
        }
        List<String> ids = new ArrayList<>(new java.util.LinkedHashSet<>(customers));
        return db.inTransaction(c -> {
            for (int from = 0; from < ids.size(); from += 500) {
                List<String> part = ids.subList(from, Math.min(ids.size(), from + 500));
                String marks = String.join(",", java.util.Collections.nCopies(part.size(), "?"));
                try (PreparedStatement ps = c.prepareStatement("SELECT customer_id, version FROM billing_input_versions "
                        + "WHERE tenant_id = ? AND customer_id IN (" + marks + ")")) {
                    ps.setString(1, tenant);
                    for (int i = 0; i < part.size(); i++) {
                        ps.setString(i + 2, part.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), rs.getLong(2));
                        }
                    }
                }
            }
            return out;
        });
    }

    /** At most {@code limit} open drafts of a tenant after {@code after}, by boundary then id, with their versions. */
    List<OpenDraft> openDrafts(String tenant, Optional<Key> after, int limit) {
        return db.inTransaction(c -> {
            List<OpenDraft> out = new ArrayList<>();
            String sql = "SELECT i.id, i.subscription_id, i.customer_id, i.boundary_at, i.finalize_after, i.rating, "
                    + "i.rating_valid_until, COALESCE(v.version, 0) FROM invoices i LEFT JOIN billing_input_versions v "
                    + "ON v.tenant_id = i.tenant_id AND v.customer_id = i.customer_id "
                    + "WHERE i.tenant_id = ? AND i.status = 'draft'"
                    + (after.isPresent() ? " AND (i.boundary_at > ? OR (i.boundary_at = ? AND i.id > ?))" : "")
                    + " ORDER BY i.boundary_at, i.id LIMIT " + limit;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, tenant);
                if (after.isPresent()) {
                    ps.setString(2, after.get().boundary().toString());
                    ps.setString(3, after.get().boundary().toString());
                    ps.setString(4, after.get().id());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String rating = rs.getString(6);
                        String validUntil = rs.getString(7);
                        out.add(new OpenDraft(rs.getString(1), rs.getString(2), rs.getString(3),
                                Instant.parse(rs.getString(4)), Instant.parse(rs.getString(5)),
                                rating == null ? Optional.empty() : Optional.of(new Rating(rating,
                                        Optional.ofNullable(validUntil).map(Instant::parse))),
                                rs.getLong(8)));
                    }
                }
            }
            return out;
        });
    }
}
