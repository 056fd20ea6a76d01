package dev.tally.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Throwaway PostgreSQL databases on the local server (127.0.0.1:5432, user postgres, trust auth; .ci/run
 * starts it): each test creates its own and drops it afterwards.
 */
public final class TestDatabases {
    public static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

    /**
     * The secrets key of tests where several engines share one database (as every process on one database
     * must): a fixed test key, never a real one.
     */
    public static final dev.tally.engine.secrets.SecretsConfig SECRETS =
            dev.tally.engine.secrets.SecretsConfig.ofKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

    private TestDatabases() {
    }

    /** A new empty database; returns its JDBC URL. */
    public static String create() {
        String name = "tally_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        exec("CREATE DATABASE " + name);
        return "jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres";
    }

    public static void drop(String url) {
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
