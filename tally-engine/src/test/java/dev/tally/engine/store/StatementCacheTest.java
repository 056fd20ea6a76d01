package dev.tally.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatementCacheTest {
    @TempDir
    Path dir;

    private Connection c;

    @BeforeEach
    void open() throws SQLException {
        c = StatementCache.wrap(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db")));
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    @Test
    void reusesTheDriversStatementOnceTheFirstUseIsClosed() throws SQLException {
        PreparedStatement first = c.prepareStatement("INSERT INTO t (k, v) VALUES (?, ?)");
        Object driverStatement = first.unwrap(PreparedStatement.class);
        first.setString(1, "a");
        first.setInt(2, 1);
        first.executeUpdate();
        first.close();
        try (PreparedStatement again = c.prepareStatement("INSERT INTO t (k, v) VALUES (?, ?)")) {
            assertThat(again.unwrap(PreparedStatement.class)).isSameAs(driverStatement);
            again.setString(1, "b");
            again.setInt(2, 2);
            again.executeUpdate();
        }
        assertThat(count()).isEqualTo(2);
    }

    @Test
    void handsOutASecondStatementWhileTheFirstStillReads() throws SQLException {
        insert("a", 1);
        insert("b", 2);
        String sql = "SELECT k FROM t WHERE v >= ? ORDER BY k";
        try (PreparedStatement outer = c.prepareStatement(sql)) {
            outer.setInt(1, 0);
            try (ResultSet rs = outer.executeQuery()) {
                assertThat(rs.next()).isTrue();
                try (PreparedStatement inner = c.prepareStatement(sql)) {
                    assertThat(inner.unwrap(PreparedStatement.class)).isNotSameAs(outer.unwrap(PreparedStatement.class));
                    inner.setInt(1, 2);
                    try (ResultSet in = inner.executeQuery()) {
                        assertThat(in.next()).isTrue();
                        assertThat(in.getString(1)).isEqualTo("b");
                    }
                }
                assertThat(rs.getString(1)).isEqualTo("a");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("b");
            }
        }
    }

    @Test
    void aClosedStatementKeepsNoParametersAndRefusesUse() throws SQLException {
        PreparedStatement ps = c.prepareStatement("INSERT INTO t (k, v) VALUES (?, ?)");
        ps.setString(1, "a");
        ps.close();
        assertThat(ps.isClosed()).isTrue();
        assertThatThrownBy(() -> ps.setInt(2, 1)).isInstanceOf(SQLException.class);
        try (PreparedStatement again = c.prepareStatement("INSERT INTO t (k, v) VALUES (?, ?)")) {
            again.setInt(2, 1); // k is unbound again: NULL into the primary key of a rowid table is allowed, so count
            again.executeUpdate();
        }
        try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM t WHERE k IS NULL")) {
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void givingBackAStatementEndsAReadLeftUnfinished() throws SQLException {
        insert("a", 1);
        insert("b", 2);
        c.setAutoCommit(false);
        PreparedStatement ps = c.prepareStatement("SELECT k FROM t ORDER BY k");
        ResultSet rs = ps.executeQuery();
        rs.next(); // one row read of two, result set never closed
        ps.close();
        assertThat(rs.isClosed()).isTrue();
        insert("c", 3);
        c.commit();
        c.setAutoCommit(true);
        assertThat(count()).isEqualTo(3);
    }

    private void insert(String k, int v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (k, v) VALUES (?, ?)")) {
            ps.setString(1, k);
            ps.setInt(2, v);
            ps.executeUpdate();
        }
    }

    private int count() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM t"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
