package dev.tally.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.event.CloudEventReader;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.log.FingerprintIndex;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's reading of the engine's record layout, checked against records the engine itself wrote. */
class EventRecordsTest {
    @TempDir
    Path dir;

    /** An event record in the engine's layout (see the engine's LogRecord). */
    static byte[] record(String tenant, String source, String id, String type, String subject, Instant time) {
        byte[][] strings = {utf8(tenant), utf8(source), utf8(id), utf8(type), utf8(subject)};
        int size = 1 + 12 + 12 + 4;
        for (byte[] s : strings) {
            size += 4 + s.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(EventRecords.EVENT);
        for (byte[] s : strings) {
            b.putInt(s.length).put(s);
        }
        b.putLong(time.getEpochSecond()).putInt(time.getNano());
        b.putLong(time.getEpochSecond()).putInt(0);
        b.putInt(0);
        return b.array();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheIdentitySubjectAndTimeOfARecordTheEngineWrote() throws Exception {
        String url = TestDatabases.createMigrated();
        try {
            try (Engine e = Engine.open(EngineConfig.of(dir).onPostgres(url),
                    new ManualClock(Instant.parse("2026-11-15T00:00:00Z")))) {
                byte[] body = ("{\"specversion\":\"1.0\",\"id\":\"ev-é1\",\"source\":\"//app\",\"type\":\"call\","
                        + "\"subject\":\"Kunde ü\",\"time\":\"2026-11-14T10:00:00.123456789Z\",\"data\":{\"n\":5}}")
                        .getBytes(StandardCharsets.UTF_8);
                e.ingest("default", e.eventReader().read(body, CloudEventReader.BodyShape.SINGLE));
            }
            byte[] stored;
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT record FROM events")) {
                assertThat(rs.next()).isTrue();
                stored = rs.getBytes(1);
            }
            EventStore.Candidate c = EventRecords.candidate(stored);
            assertThat(new String(c.tenant(), StandardCharsets.UTF_8)).isEqualTo("default");
            assertThat(new String(c.source(), StandardCharsets.UTF_8)).isEqualTo("//app");
            assertThat(new String(c.id(), StandardCharsets.UTF_8)).isEqualTo("ev-é1");
            assertThat(c.subject()).isEqualTo("Kunde ü");
            assertThat(c.time()).isEqualTo(Instant.parse("2026-11-14T10:00:00.123456789Z"));
            assertThat(c.fingerprint()).isEqualTo(FingerprintIndex.fingerprint(c.tenant(), c.source(), c.id()));
            assertThat(c.record()).isSameAs(stored);
        } finally {
            TestDatabases.drop(url);
        }
    }

    @Test
    void theKeyIsTenantNulSubject() {
        assertThat(EventRecords.key(utf8("t1"), "acme")).isEqualTo(utf8("t1\u0000acme"));
    }

    @Test
    void anythingButAWellFormedEventRecordIsRefused() {
        byte[] ok = record("t", "s", "i", "call", "acme", Instant.parse("2026-11-14T10:00:00Z"));
        assertThat(EventRecords.candidate(ok).subject()).isEqualTo("acme");
        assertThatThrownBy(() -> EventRecords.candidate(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventRecords.candidate(utf8("not an event"))).isInstanceOf(IllegalArgumentException.class);
        for (int cut = 1; cut < 30; cut++) {
            byte[] truncated = Arrays.copyOf(ok, cut);
            assertThatThrownBy(() -> EventRecords.candidate(truncated)).isInstanceOf(IllegalArgumentException.class);
        }
        byte[] nul = record("t", "s", "a\u0000b", "call", "acme", Instant.parse("2026-11-14T10:00:00Z"));
        assertThatThrownBy(() -> EventRecords.candidate(nul)).hasMessageContaining("NUL");
        byte[] cancel = ok.clone();
        cancel[0] = EventRecords.CANCEL;
        assertThatThrownBy(() -> EventRecords.candidate(cancel)).isInstanceOf(IllegalArgumentException.class);
    }
}
