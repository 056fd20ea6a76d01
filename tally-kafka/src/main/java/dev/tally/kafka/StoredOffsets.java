package dev.tally.kafka;

import dev.tally.engine.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The table {@code kafka_offsets(topic, partition, next_offset)}: how far the workers have stored each
 * partition. A row moves only forward ({@code GREATEST}), so a worker that lost its partition but has not
 * noticed yet (a zombie) can never move it back; every row it writes still covers only records it stored in
 * the same transaction.
 */
final class StoredOffsets {
    private StoredOffsets() {
    }

    /** partition -> next offset to store, for every partition of the topic with a row. */
    static Map<Integer, Long> read(Database db, String topic) {
        return db.inTransaction(c -> read(c, topic));
    }

    static Map<Integer, Long> read(Connection c, String topic) throws SQLException {
        Map<Integer, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT partition, next_offset FROM kafka_offsets WHERE topic = ?")) {
            ps.setString(1, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** Moves each partition's row forward to the given next offset (inserting it when missing). */
    static void advance(Connection c, String topic, Map<Integer, Long> next) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO kafka_offsets (topic, partition, next_offset) "
                + "VALUES (?, ?, ?) ON CONFLICT (topic, partition) DO UPDATE SET next_offset = "
                + "GREATEST(kafka_offsets.next_offset, EXCLUDED.next_offset)")) {
            for (Map.Entry<Integer, Long> e : new java.util.TreeMap<>(next).entrySet()) {
                ps.setString(1, topic);
                ps.setInt(2, e.getKey());
                ps.setLong(3, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
