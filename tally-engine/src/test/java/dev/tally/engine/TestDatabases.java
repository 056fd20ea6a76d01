package dev.tally.engine;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Throwaway PostgreSQL databases on the local server (127.0.0.1:5432, user postgres, trust auth; .ci/run
 * starts it): each test creates its own and drops it afterwards. The environment variable TALLY_TEST_PG
 * (host:port) points the tests at another server. Shared with the modules above the engine (its test jar).
 */
public final class TestDatabases {
    public static final String SERVER = System.getenv().getOrDefault("TALLY_TEST_PG", "127.0.0.1:5432");
    public static final String ADMIN_URL = "jdbc:postgresql://" + SERVER + "/postgres?user=postgres";

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
        return "jdbc:postgresql://" + SERVER + "/" + name + "?user=postgres";
    }

    /** Drops a database {@link #create} made (closing its connections); a no-op for null. */
    public static void drop(String url) {
        if (url == null) {
            return;
        }
        String name = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    /** The first column of the first row of a query on {@code url}. */
    public static long queryLong(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void exec(String sql) {
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + SERVER + " is needed for this test (" + e.getMessage()
                    + "); .ci/run starts it", e);
        }
    }
}
