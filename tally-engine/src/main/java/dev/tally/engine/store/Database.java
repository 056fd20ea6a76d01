package dev.tally.engine.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteDataSource;

/**
 * The metadata database: SQLite in the data directory (one connection,
 * serialized; WAL, synchronous=FULL; its prepared statements reused) or PostgreSQL (a HikariCP pool; several
 * processes may share it). Schema by Flyway: {@code db/migration} for both,
 * {@code db/vendor/sqlite} or {@code db/vendor/postgresql} for what only one has. Every write is a
 * transaction that is durable when it commits.
 */
public final class Database implements AutoCloseable {
    private final Connection sqlite;
    private final HikariDataSource pool;
    private final ThreadLocal<Connection> current = new ThreadLocal<>();

    private Database(Connection sqlite, HikariDataSource pool) {
        this.sqlite = sqlite;
        this.pool = pool;
    }

    /** The embedded store: a SQLite file. */
    public static Database open(Path file) {
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl(url);
        migrate(ds, "sqlite");
        try {
            // prepared statements are kept for reuse (see StatementCache): SQLite compiles triggers into each one
            Connection c = StatementCache.wrap(DriverManager.getConnection(url));
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=5000");
                // deleted and overwritten content (e.g. a secret stored in clear before it was sealed) is zeroed
                s.execute("PRAGMA secure_delete=ON");
            }
            return new Database(c, null);
        } catch (SQLException e) {
            throw new StoreException("cannot open " + file, e);
        }
    }

    /**
     * PostgreSQL 15+ at a JDBC URL ({@code jdbc:postgresql://host:5432/db?user=...}) or a libpq-style one
     * ({@code postgresql://user@host:5432/db}); migrates the schema (also upgrading an existing database).
     */
    public static Database postgres(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl(url));
        config.setMaximumPoolSize(16);
        // grows on demand: a Kafka worker runs one engine per owned partition, each with a pool of its own
        config.setMinimumIdle(2);
        config.setPoolName("tally-pg");
        config.setConnectionTimeout(2_000);
        config.setInitializationFailTimeout(30_000);
        HikariDataSource pool = new HikariDataSource(config);
        try {
            migrate(pool, "postgresql");
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(null, pool);
    }

    /** Accepts jdbc:postgresql:// URLs as they are and turns postgres(ql)://user:pw@host:port/db into one. */
    static String jdbcUrl(String url) {
        if (url.startsWith("jdbc:")) {
            return url;
        }
        java.net.URI u = java.net.URI.create(url.replaceFirst("^postgres://", "postgresql://"));
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(u.getHost())
                .append(u.getPort() > 0 ? ":" + u.getPort() : "").append(u.getPath());
        String sep = "?";
        if (u.getUserInfo() != null) {
            String[] up = u.getUserInfo().split(":", 2);
            jdbc.append(sep).append("user=").append(up[0]);
            sep = "&";
            if (up.length > 1) {
                jdbc.append("&password=").append(up[1]);
            }
        }
        if (u.getQuery() != null) {
            jdbc.append(sep).append(u.getQuery());
        }
        return jdbc.toString();
    }

    private static void migrate(DataSource ds, String vendor) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration", "classpath:db/vendor/" + vendor)
                .load().migrate();
    }

    /**
     * SQLite: moves everything in the write-ahead log into the database file and truncates the log, so old page
     * images (with values since overwritten, which {@code secure_delete} zeroed in the file) leave the disk's WAL.
     * PostgreSQL: nothing (old row versions stay in the table's files until their space is reused; see
     * docs/ARCHITECTURE.md).
     */
    public void scrub() {
        if (sqlite == null) {
            return;
        }
        synchronized (sqlite) {
            try (Statement s = sqlite.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } catch (SQLException e) {
                throw new StoreException("cannot checkpoint the database's write-ahead log", e);
            }
        }
    }

    public boolean isPostgres() {
        return pool != null;
    }

    /** Work done with a connection, in one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs work in one transaction. A call made inside another call's work (same thread) joins that
     * transaction, so a bulk operation commits, and fsyncs, once. SQLite transactions are serialized in
     * this process; PostgreSQL ones run concurrently on pooled connections.
     */
    public <T> T inTransaction(Work<T> work) {
        Connection joined = current.get();
        if (joined != null) {
            try {
                return work.run(joined);
            } catch (SQLException e) {
                throw new StoreException("metadata transaction failed", e);
            }
        }
        if (sqlite != null) {
            synchronized (sqlite) {
                return run(sqlite, work);
            }
        }
        try (Connection c = pool.getConnection()) {
            return run(c, work);
        } catch (SQLException e) {
            throw new StoreException("cannot reach the database", e);
        }
    }

    private <T> T run(Connection c, Work<T> work) {
        current.set(c);
        try {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException broken) {
                    // the connection died with the transaction (e.g. a server restart): keep the first error
                }
            }
        } catch (SQLException e) {
            throw new StoreException("metadata transaction failed", e);
        } finally {
            current.remove();
        }
    }

    /**
     * Runs work while holding a lock named {@code name} across every process on this database (a PostgreSQL
     * session advisory lock); on SQLite, which one process owns, the work just runs.
     */
    public <T> T withLock(String name, Supplier<T> work) {
        if (pool == null) {
            return work.get();
        }
        try (Connection c = pool.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(hashtext(?))")) {
                ps.setString(1, name);
                ps.execute();
            }
            try {
                return work.get();
            } finally {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(hashtext(?))")) {
                    ps.setString(1, name);
                    ps.execute();
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot take the lock " + name, e);
        }
    }

    /** A connection for the caller to manage (PostgreSQL only; the event store's own transactions). */
    public Connection connection() throws SQLException {
        if (pool == null) {
            throw new IllegalStateException("only a PostgreSQL database hands out connections");
        }
        return pool.getConnection();
    }

    @Override
    public void close() {
        try {
            if (sqlite != null) {
                synchronized (sqlite) {
                    sqlite.close();
                }
            } else {
                pool.close();
            }
        } catch (SQLException e) {
            throw new StoreException("close failed", e);
        }
    }
}
