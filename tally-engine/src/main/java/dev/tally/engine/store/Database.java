package dev.tally.engine.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteDataSource;

/**
 * The SQLite metadata database in the data directory. One connection,
 * serialized by this object; every write is a transaction that is durable
 * when it commits (WAL, synchronous=FULL).
 */
public final class Database implements AutoCloseable {
    private final Connection connection;
    private int depth;

    private Database(Connection connection) {
        this.connection = connection;
    }

    public static Database open(Path file) {
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl(url);
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        try {
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=5000");
            }
            return new Database(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open " + file, e);
        }
    }

    /** Work done with the connection, in one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs work in one transaction. SQLite serializes writers anyway; within this process the
     * connection is used by one thread at a time. A call made inside another call's work joins that
     * transaction (so a bulk operation commits, and fsyncs, once).
     */
    public synchronized <T> T inTransaction(Work<T> work) {
        if (depth > 0) {
            try {
                return work.run(connection);
            } catch (SQLException e) {
                throw new StoreException("metadata transaction failed", e);
            }
        }
        depth++;
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("metadata transaction failed", e);
        } finally {
            depth--;
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("close failed", e);
        }
    }
}
