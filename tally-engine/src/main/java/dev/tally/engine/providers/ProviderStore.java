package dev.tally.engine.providers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.secrets.SecretBox;
import dev.tally.engine.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The facade over what Tally keeps about remote payment providers (see the package). Guarantees: credentials are
 * stored only sealed ({@link SecretBox}, the record being the tenant and provider) and come back only through
 * {@link #credentials}; a finalized invoice enters a provider's push queue at most once; the first connection of an
 * account marks the invoices finalized before it as skipped (only invoices finalized from then on are pushed); an
 * event id is recorded at most once per tenant and provider. Thread-safe.
 */
public final class ProviderStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR = 500;

    private final Database db;
    private final SecretBox box;
    private final Clock clock;

    public ProviderStore(Database db, SecretBox box, Clock clock) {
        this.db = db;
        this.box = box;
        this.clock = clock;
    }

    private static String record(String tenant, String provider) {
        return "provider_accounts/" + tenant + "/" + provider;
    }

    /**
     * Stores (or replaces) a tenant's credentials for a provider, sealed; {@code hint} is what the API may show of
     * them. On the first connection, every invoice of the tenant already finalized is marked skipped.
     */
    public ProviderAccount connect(String tenant, String provider, Map<String, String> credentials, String hint) {
        ObjectNode o = JSON.createObjectNode();
        credentials.forEach(o::put);
        String sealed;
        try {
            sealed = box.sealText(JSON.writeValueAsString(o), record(tenant, provider));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Instant now = clock.instant();
        return db.inTransaction(c -> {
            Optional<ProviderAccount> before = account(c, tenant, provider);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO provider_accounts (tenant_id, provider, "
                    + "credentials, hint, connected_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, "
                    + "provider) DO UPDATE SET credentials = excluded.credentials, hint = excluded.hint, "
                    + "updated_at = excluded.updated_at")) {
                ps.setString(1, tenant);
                ps.setString(2, provider);
                ps.setString(3, sealed);
                ps.setString(4, hint);
                ps.setString(5, now.toString());
                ps.setString(6, now.toString());
                ps.executeUpdate();
            }
            if (before.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO provider_pushes (tenant_id, provider, "
                        + "invoice_id, state, attempts, next_attempt_ms, last_error, created_at, updated_at) SELECT "
                        + "tenant_id, ?, id, 'skipped', 0, 0, 'finalized before the account was connected', ?, ? "
                        + "FROM invoices WHERE tenant_id = ? AND status <> 'draft' ON CONFLICT DO NOTHING")) {
                    ps.setString(1, provider);
                    ps.setString(2, now.toString());
                    ps.setString(3, now.toString());
                    ps.setString(4, tenant);
                    ps.executeUpdate();
                }
            }
            return account(c, tenant, provider).orElseThrow();
        });
    }

    /** The connected account (without credentials), if any. */
    public Optional<ProviderAccount> account(String tenant, String provider) {
        return db.inTransaction(c -> account(c, tenant, provider));
    }

    private static Optional<ProviderAccount> account(Connection c, String tenant, String provider) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT hint, connected_at, updated_at FROM provider_accounts "
                + "WHERE tenant_id = ? AND provider = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, provider);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new ProviderAccount(tenant, provider, rs.getString(1), Instant.parse(rs.getString(2)),
                        Instant.parse(rs.getString(3))));
            }
        }
    }

    /** The opened credentials of a connected account: for the provider's client only, never for a response or a log. */
    public Optional<Map<String, String>> credentials(String tenant, String provider) {
        Optional<String> sealed = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT credentials FROM provider_accounts WHERE tenant_id = ? "
                    + "AND provider = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, provider);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
        return sealed.map(s -> {
            try {
                Map<String, String> out = new LinkedHashMap<>();
                JSON.readTree(box.openText(s, record(tenant, provider))).fields()
                        .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
                return Map.copyOf(out);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored provider credentials are damaged");
            }
        });
    }

    /** The tenants with a connected account of this provider. */
    public List<String> connectedTenants(String provider) {
        return db.inTransaction(c -> strings(c, "SELECT tenant_id FROM provider_accounts WHERE provider = ? "
                + "ORDER BY tenant_id", provider));
    }

    /** Links a Tally customer to the provider's customer {@code remoteId} ({@code linkedBy}: how it was found). */
    public void linkCustomer(String tenant, String provider, String customer, String remoteId, String linkedBy) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO provider_customers (tenant_id, provider, "
                    + "customer_id, remote_id, linked_by, linked_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, "
                    + "provider, customer_id) DO UPDATE SET remote_id = excluded.remote_id, linked_by = excluded.linked_by, "
                    + "linked_at = excluded.linked_at")) {
                ps.setString(1, tenant);
                ps.setString(2, provider);
                ps.setString(3, customer);
                ps.setString(4, remoteId);
                ps.setString(5, linkedBy);
                ps.setString(6, clock.instant().toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The provider customer linked to a Tally customer, if any. */
    public Optional<String> customerLink(String tenant, String provider, String customer) {
        return db.inTransaction(c -> strings(c, "SELECT remote_id FROM provider_customers WHERE tenant_id = ? AND "
                + "provider = ? AND customer_id = ?", tenant, provider, customer).stream().findFirst());
    }

    /** Queues every finalized invoice of the tenant that is not queued yet; returns how many were added. */
    public int enqueueFinalized(String tenant, String provider) {
        Instant now = clock.instant();
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO provider_pushes (tenant_id, provider, invoice_id, "
                    + "state, attempts, next_attempt_ms, created_at, updated_at) SELECT i.tenant_id, ?, i.id, 'pending', "
                    + "0, 0, ?, ? FROM invoices i WHERE i.tenant_id = ? AND i.status = 'finalized' AND NOT EXISTS "
                    + "(SELECT 1 FROM provider_pushes p WHERE p.tenant_id = i.tenant_id AND p.provider = ? AND "
                    + "p.invoice_id = i.id) ON CONFLICT DO NOTHING")) {
                ps.setString(1, provider);
                ps.setString(2, now.toString());
                ps.setString(3, now.toString());
                ps.setString(4, tenant);
                ps.setString(5, provider);
                return ps.executeUpdate();
            }
        });
    }

    /** The pending jobs of a provider whose next attempt is due, oldest first. */
    public List<PushJob> due(String provider, int limit) {
        long now = clock.millis();
        return db.inTransaction(c -> jobs(c, "SELECT * FROM provider_pushes WHERE provider = ? AND state = 'pending' "
                + "AND next_attempt_ms <= ? ORDER BY next_attempt_ms, created_at, invoice_id LIMIT " + limit,
                ps -> {
                    ps.setString(1, provider);
                    ps.setLong(2, now);
                }));
    }

    /** One invoice's job, if it is queued. */
    public Optional<PushJob> job(String tenant, String provider, String invoiceId) {
        return db.inTransaction(c -> jobs(c, "SELECT * FROM provider_pushes WHERE tenant_id = ? AND provider = ? AND "
                + "invoice_id = ?", ps -> {
                    ps.setString(1, tenant);
                    ps.setString(2, provider);
                    ps.setString(3, invoiceId);
                }).stream().findFirst());
    }

    /** How many of the tenant's invoices are in each state of the provider's queue. */
    public Map<String, Integer> queueCounts(String tenant, String provider) {
        return db.inTransaction(c -> {
            Map<String, Integer> out = new LinkedHashMap<>();
            for (PushJob.State s : PushJob.State.values()) {
                out.put(s.wireName(), 0);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT state, COUNT(*) FROM provider_pushes WHERE tenant_id = ? "
                    + "AND provider = ? GROUP BY state")) {
                ps.setString(1, tenant);
                ps.setString(2, provider);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            return out;
        });
    }

    /** Records the provider's id of the invoice's remote invoice (and remembers it as an object of the invoice). */
    public void setRemote(String tenant, String provider, String invoiceId, String remoteId) {
        db.inTransaction(c -> {
            update(c, "UPDATE provider_pushes SET remote_id = ?, updated_at = ? WHERE tenant_id = ? AND provider = ? "
                    + "AND invoice_id = ?", remoteId, clock.instant().toString(), tenant, provider, invoiceId);
            remember(c, tenant, provider, remoteId, invoiceId);
            return null;
        });
    }

    /** The job is done: the remote invoice exists and is finalized. */
    public void pushed(String tenant, String provider, String invoiceId) {
        db.inTransaction(c -> update(c, "UPDATE provider_pushes SET state = 'pushed', last_error = NULL, updated_at = ? "
                + "WHERE tenant_id = ? AND provider = ? AND invoice_id = ?", clock.instant().toString(), tenant, provider,
                invoiceId));
    }

    /** The job will not be pushed, for {@code reason}. */
    public void skipped(String tenant, String provider, String invoiceId, String reason) {
        db.inTransaction(c -> update(c, "UPDATE provider_pushes SET state = 'skipped', last_error = ?, updated_at = ? "
                + "WHERE tenant_id = ? AND provider = ? AND invoice_id = ?", reason, clock.instant().toString(), tenant,
                provider, invoiceId));
    }

    /** An attempt failed: count it and schedule the next one at {@code nextAttemptMillis}. */
    public void failed(String tenant, String provider, String invoiceId, String error, long nextAttemptMillis) {
        String safe = error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error;
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE provider_pushes SET attempts = attempts + 1, "
                    + "next_attempt_ms = ?, last_error = ?, updated_at = ? WHERE tenant_id = ? AND provider = ? AND "
                    + "invoice_id = ?")) {
                ps.setLong(1, nextAttemptMillis);
                ps.setString(2, safe);
                ps.setString(3, clock.instant().toString());
                ps.setString(4, tenant);
                ps.setString(5, provider);
                ps.setString(6, invoiceId);
                return ps.executeUpdate();
            }
        });
    }

    /** Remembers that the provider object {@code remoteId} (an invoice, a payment) belongs to a Tally invoice. */
    public void rememberObject(String tenant, String provider, String remoteId, String invoiceId) {
        db.inTransaction(c -> {
            remember(c, tenant, provider, remoteId, invoiceId);
            return null;
        });
    }

    private static void remember(Connection c, String tenant, String provider, String remoteId, String invoiceId)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO provider_objects (tenant_id, provider, remote_id, "
                + "invoice_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, tenant);
            ps.setString(2, provider);
            ps.setString(3, remoteId);
            ps.setString(4, invoiceId);
            ps.executeUpdate();
        }
    }

    /** The Tally invoice a provider object is known to belong to. */
    public Optional<String> invoiceOf(String tenant, String provider, String remoteId) {
        return db.inTransaction(c -> strings(c, "SELECT invoice_id FROM provider_objects WHERE tenant_id = ? AND "
                + "provider = ? AND remote_id = ?", tenant, provider, remoteId).stream().findFirst());
    }

    /** Whether a provider event was already applied. */
    public boolean eventSeen(String tenant, String provider, String eventId) {
        return db.inTransaction(c -> !strings(c, "SELECT event_id FROM provider_events WHERE tenant_id = ? AND "
                + "provider = ? AND event_id = ?", tenant, provider, eventId).isEmpty());
    }

    /**
     * Records that a provider event was applied with {@code outcome}; false if it already was (call it in the
     * transaction that applies the event, so both commit together).
     */
    public boolean recordEvent(String tenant, String provider, String eventId, String type, String outcome) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO provider_events (tenant_id, provider, event_id, "
                    + "type, outcome, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, tenant);
                ps.setString(2, provider);
                ps.setString(3, eventId);
                ps.setString(4, type);
                ps.setString(5, outcome);
                ps.setString(6, clock.instant().toString());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private static List<PushJob> jobs(Connection c, String sql, Binder binder) throws SQLException {
        List<PushJob> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PushJob(rs.getString("tenant_id"), rs.getString("provider"), rs.getString("invoice_id"),
                            PushJob.State.of(rs.getString("state")), rs.getInt("attempts"), rs.getLong("next_attempt_ms"),
                            Optional.ofNullable(rs.getString("remote_id")), Optional.ofNullable(rs.getString("last_error"))));
                }
            }
        }
        return out;
    }

    private static int update(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    private static List<String> strings(Connection c, String sql, String... args) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
