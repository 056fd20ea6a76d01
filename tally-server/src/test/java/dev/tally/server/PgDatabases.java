package dev.tally.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Throwaway PostgreSQL databases on the local server (127.0.0.1:5432, user postgres, trust auth; .ci/run starts
 * it), one per test, dropped afterwards. A copy of the engine's test helper, so this module does not depend on the
 * engine's test jar.
 */
final class PgDatabases {
    static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

    private PgDatabases() {
    }

    /** A new empty database; returns its JDBC URL. */
    static String create() {
        String name = "tally_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        exec("CREATE DATABASE " + name);
        return "jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres";
    }

    /** Drops a database {@link #create} made (closing its connections); a no-op for null. */
    static void drop(String url) {
        if (url == null) {
            return;
        }
        String name = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void exec(String sql) {
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432 is needed for this test (" + e.getMessage()
                    + "); .ci/run starts it", e);
        }
    }
}
