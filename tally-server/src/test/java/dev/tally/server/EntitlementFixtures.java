package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.event.Json;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Helpers of the entitlement and alert tests: reading the outbox and alert firings of a test server's database. */
final class EntitlementFixtures {
    private EntitlementFixtures() {
    }

    /**
     * The {@code data} of the outbox messages of one type, oldest first; each stored body must be the webhook
     * envelope {@code {"type", "timestamp", "data"}} of that type.
     */
    static List<JsonNode> outbox(TestServer t, String type) {
        List<JsonNode> out = new ArrayList<>();
        query(t, "SELECT payload FROM outbox_messages WHERE type = ? ORDER BY created_at, id", type, rs -> {
            JsonNode body = Json.newMapper().readTree(rs.getString(1));
            assertThat(body.path("type").asText()).as("the envelope's type").isEqualTo(type);
            assertThat(body.path("timestamp").isTextual()).as("the envelope's timestamp in %s", body).isTrue();
            assertThat(body.path("data").isObject()).as("the envelope's data in %s", body).isTrue();
            out.add(body.get("data"));
        });
        return out;
    }

    /** Rows of alert_firings as "alert customer period_start threshold". */
    static List<String> firings(TestServer t) {
        List<String> out = new ArrayList<>();
        query(t, "SELECT alert_id, customer_id, period_start, threshold FROM alert_firings WHERE ? = ? "
                + "ORDER BY period_start, customer_id, CAST(threshold AS REAL)", null, rs -> out.add(rs.getString(1)
                + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4)));
        return out;
    }

    interface Row {
        void read(ResultSet rs) throws Exception;
    }

    private static void query(TestServer t, String sql, String arg, Row row) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + t.dir.resolve("tally.db").toAbsolutePath());
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg == null ? "x" : arg);
            if (arg == null) {
                ps.setString(2, "x");
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    row.read(rs);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode status(TestServer.Reply r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        if (status >= 400) {
            assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        }
        return r.json();
    }
}
