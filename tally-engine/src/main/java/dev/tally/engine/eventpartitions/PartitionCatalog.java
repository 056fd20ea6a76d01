package dev.tally.engine.eventpartitions;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes {@code archived_event_partitions} on a caller's connection (and transaction). */
final class PartitionCatalog {
    private PartitionCatalog() {
    }

    static List<CatalogEntry> all(Connection c) throws SQLException {
        List<CatalogEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT partition_name, range_from, range_to, state, "
                + "object_key, coalesce(sha256, ''), coalesce(row_count, -1), coalesce(min_seq, -1), "
                + "coalesce(max_seq, -1) FROM archived_event_partitions ORDER BY range_from");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new CatalogEntry(rs.getString(1), rs.getTimestamp(2).toInstant(),
                        rs.getTimestamp(3).toInstant(), "archived".equals(rs.getString(4)), rs.getString(5),
                        rs.getString(6), rs.getLong(7), rs.getLong(8), rs.getLong(9)));
            }
        }
        return out;
    }

    /** Records that a month is being detached (same transaction as the DETACH). */
    static void detached(Connection c, String name, java.time.Instant from, java.time.Instant to, String key)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO archived_event_partitions "
                + "(partition_name, range_from, range_to, state, object_key) VALUES (?, ?, ?, 'detached', ?)")) {
            ps.setString(1, name);
            ps.setTimestamp(2, Timestamp.from(from));
            ps.setTimestamp(3, Timestamp.from(to));
            ps.setString(4, key);
            ps.executeUpdate();
        }
    }

    /** Records that a month's object is stored and verified (same transaction as the DROP of its table). */
    static void archived(Connection c, String name, String sha256, PartitionFile.Summary s, java.time.Instant at)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE archived_event_partitions SET state = 'archived', "
                + "sha256 = ?, row_count = ?, min_seq = ?, max_seq = ?, archived_at = ? WHERE partition_name = ?")) {
            ps.setString(1, sha256);
            ps.setLong(2, s.rows());
            ps.setLong(3, s.minSeq());
            ps.setLong(4, s.maxSeq());
            ps.setTimestamp(5, Timestamp.from(at));
            ps.setString(6, name);
            ps.executeUpdate();
        }
    }
}
