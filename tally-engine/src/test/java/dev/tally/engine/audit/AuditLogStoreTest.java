package dev.tally.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The audit log on both stores: records come back as appended (actor, resource, patch, request id), filtered and
 * paged by cursor without gaps or repeats, tenant-scoped; secrets never reach the table; an UPDATE is refused by
 * the database; only retention pruning deletes, and only what is older than the retention.
 */
class AuditLogStoreTest {
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    static final ObjectMapper M = Json.newMapper();
    final AtomicReference<Instant> now = new AtomicReference<>(T0);
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    interface Body {
        void run(Database db) throws Exception;
    }

    void onBoth(String store, Body body) throws Exception {
        if (store.equals("sqlite")) {
            Path dir = Files.createTempDirectory("tally-audit");
            try (Database db = Database.open(dir.resolve("tally.db"))) {
                body.run(db);
            }
        } else {
            String url = TestDatabases.createMigrated();
            try (Database db = Database.postgres(url)) {
                body.run(db);
            } finally {
                TestDatabases.drop(url);
            }
        }
    }

    static JsonNode json(String s) throws Exception {
        return M.readTree(s);
    }

    AuditEntry entry(String tenant, String resource, String id, String before, String after) throws Exception {
        return new AuditEntry(tenant, Actor.key("key_1", "ops"), resource, id, "PATCH /v1/x", Optional.of("req-1"),
                before == null ? Optional.empty() : Optional.of(json(before)),
                after == null ? Optional.empty() : Optional.of(json(after)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void appendsAndReadsBackWithAPatchAndTheActor(String store) throws Exception {
        onBoth(store, db -> {
            AuditLog log = new AuditLog(db, clock, Duration.ofDays(400));
            log.append(entry("t1", "customer", "acme", "{\"name\":\"Acme\",\"version\":1}",
                    "{\"name\":\"Acme Inc\",\"version\":2,\"email\":\"a@b.c\"}"));
            AuditRecord r = log.query("t1", AuditQuery.all()).records().get(0);
            assertThat(r.actor()).isEqualTo(Actor.key("key_1", "ops"));
            assertThat(r.resource()).isEqualTo("customer");
            assertThat(r.resourceId()).isEqualTo("acme");
            assertThat(r.version()).contains("2");
            assertThat(r.requestId()).contains("req-1");
            assertThat(r.at()).isEqualTo(T0);
            assertThat(r.patch()).isEqualTo(json("[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Acme Inc\"},"
                    + "{\"op\":\"replace\",\"path\":\"/version\",\"value\":2},"
                    + "{\"op\":\"add\",\"path\":\"/email\",\"value\":\"a@b.c\"}]"));
            assertThat(log.query("t2", AuditQuery.all()).records()).as("another tenant sees nothing").isEmpty();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void secretsNeverReachTheTable(String store) throws Exception {
        onBoth(store, db -> {
            AuditLog log = new AuditLog(db, clock, Duration.ofDays(400));
            log.append(entry("t1", "webhook_endpoint", "we_1", null, "{\"url\":\"https://x\",\"secret\":"
                    + "\"whsec_abcdefghijklmnop\",\"note\":\"key tly_abcd1234_0123456789abcdef0123456789abcdef\","
                    + "\"stripe\":{\"api_key\":\"sk_test_51abc\"},\"token\":\"tlyp_xyz.abc\"}"));
            String stored = db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT patch FROM audit_records");
                        var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(stored).doesNotContain("whsec_abc", "0123456789abcdef0123", "sk_test_51abc", "tlyp_xyz")
                    .contains("[redacted]", "https://x");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void filtersAndPagesWithoutGapsOrRepeats(String store) throws Exception {
        onBoth(store, db -> {
            AuditLog log = new AuditLog(db, clock, Duration.ofDays(400));
            for (int i = 0; i < 25; i++) {
                now.set(T0.plusSeconds(i / 3)); // several records in the same millisecond
                log.append(entry("t1", i % 2 == 0 ? "plan" : "meter", "r" + (i % 5), null, "{\"n\":" + i + "}"));
            }
            log.append(new AuditEntry("t1", Actor.scheduler(), "invoice", "inv_1", "invoice.finalized",
                    Optional.empty(), Optional.empty(), Optional.of(json("{\"status\":\"finalized\"}"))));
            List<String> seen = new ArrayList<>();
            Optional<String> cursor = Optional.empty();
            do {
                AuditPage page = log.query("t1", new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), cursor, 4));
                assertThat(page.records()).hasSizeLessThanOrEqualTo(4);
                page.records().forEach(r -> seen.add(r.id()));
                cursor = page.next();
            } while (cursor.isPresent());
            assertThat(seen).hasSize(26).doesNotHaveDuplicates();
            assertThat(log.query("t1", new AuditQuery(Optional.of("plan"), Optional.of("r0"), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), 100)).records())
                    .extracting(r -> r.patch().get(0).at("/value/n").asInt()).containsExactly(0, 10, 20);
            assertThat(log.query("t1", new AuditQuery(Optional.empty(), Optional.empty(), Optional.of("scheduler"),
                    Optional.empty(), Optional.empty(), Optional.empty(), 100)).records()).hasSize(1);
            assertThat(log.query("t1", new AuditQuery(Optional.empty(), Optional.empty(), Optional.of("key_1"),
                    Optional.of(T0.plusSeconds(2)), Optional.of(T0.plusSeconds(4)), Optional.empty(), 100)).records())
                    .hasSize(6);
            assertThatThrownBy(() -> log.query("t1", new AuditQuery(Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("bm90IGEgY3Vyc29y"), 10)))
                    .isInstanceOf(InvalidAuditCursorException.class);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void refusesUpdatesAndPrunesOnlyWhatIsOlderThanTheRetention(String store) throws Exception {
        onBoth(store, db -> {
            AuditLog log = new AuditLog(db, clock, Duration.ofDays(30));
            log.append(entry("t1", "plan", "old", null, "{}"));
            now.set(T0.plus(Duration.ofDays(20)));
            log.append(entry("t1", "plan", "new", null, "{}"));
            assertThatThrownBy(() -> db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE audit_records SET resource_id = 'x'")) {
                    return ps.executeUpdate();
                }
            })).hasStackTraceContaining("append-only");
            now.set(T0.plus(Duration.ofDays(31)));
            assertThat(log.prune()).isEqualTo(1);
            assertThat(log.query("t1", AuditQuery.all()).records()).extracting(AuditRecord::resourceId)
                    .containsExactly("new");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aScheduledRunsInvoiceTransitionsAreRecordedAsTheSchedulerFromTheOutbox(String store) throws Exception {
        onBoth(store, db -> {
            AuditLog log = new AuditLog(db, clock, Duration.ofDays(400));
            Instant runStart = T0.plusMillis(1500);
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO tenants (id, name, created_at) VALUES ('t1', 't1', ?)")) {
                    ps.setString(1, T0.toString());
                    ps.executeUpdate();
                }
                String[][] rows = {{"msg_1", "invoice.created", T0.plusMillis(1000).toString()}, // before the run
                        {"msg_2", "invoice.created", runStart.toString()},
                        {"msg_3", "invoice.finalized", T0.plusMillis(1700).toString()},
                        {"msg_4", "customer.updated", T0.plusMillis(1800).toString()}};
                for (String[] r : rows) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox_messages (id, tenant_id, type,"
                            + " payload, created_at) VALUES (?, 't1', ?, ?, ?)")) {
                        ps.setString(1, r[0]);
                        ps.setString(2, r[1]);
                        ps.setString(3, "{\"type\":\"" + r[1] + "\",\"data\":{\"id\":\"inv_" + r[0]
                                + "\",\"status\":\"" + (r[1].endsWith("finalized") ? "finalized" : "draft") + "\"}}");
                        ps.setString(4, r[2]);
                        ps.executeUpdate();
                    }
                }
                return null;
            });
            assertThat(log.appendInvoiceTransitions("t1", runStart, Actor.scheduler())).isEqualTo(2);
            List<AuditRecord> records = log.query("t1", AuditQuery.all()).records();
            assertThat(records).extracting(AuditRecord::action).containsExactly("invoice.created", "invoice.finalized");
            assertThat(records).allSatisfy(r -> assertThat(r.actor()).isEqualTo(Actor.scheduler()));
            assertThat(records.get(1).resourceId()).isEqualTo("inv_msg_3");
            assertThat(records.get(1).patch()).isEqualTo(json(
                    "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"finalized\"}]"));
        });
    }

    @org.junit.jupiter.api.Test
    void retentionComesFromTheEnvironment() {
        assertThat(AuditLog.retentionFrom(java.util.Map.of())).isEqualTo(Duration.ofDays(400));
        assertThat(AuditLog.retentionFrom(java.util.Map.of(AuditLog.RETENTION_ENV, "90"))).isEqualTo(Duration.ofDays(90));
        assertThatThrownBy(() -> AuditLog.retentionFrom(java.util.Map.of(AuditLog.RETENTION_ENV, "0")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
