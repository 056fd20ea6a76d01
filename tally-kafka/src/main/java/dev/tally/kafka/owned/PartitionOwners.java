package dev.tally.kafka.owned;

import dev.tally.engine.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The table {@code kafka_partition_owners}: who owns each partition of a topic and at which internal address it
 * answers. A claim replaces the row and raises its generation; a release removes it only while the releasing
 * worker still holds it, so a late release of a worker that lost the partition never removes its successor. The
 * table is a directory for routing, not a lock: ownership itself is Kafka's group assignment, and a reader that
 * reaches a worker no longer owning the partition is told so ({@link NotOwnerException}) and reads again.
 */
public final class PartitionOwners {
    /** One partition's owner. */
    public record Owner(String worker, String address, long generation) {
        public Owner {
            Objects.requireNonNull(worker);
            Objects.requireNonNull(address);
        }
    }

    private final Database db;
    private final String topic;
    private final Clock clock;

    public PartitionOwners(Database db, String topic, Clock clock) {
        if (!db.isPostgres()) {
            throw new IllegalArgumentException("partition owners are kept in PostgreSQL");
        }
        this.db = db;
        this.topic = topic;
        this.clock = clock;
    }

    /** Records {@code worker} at {@code address} as the owner of the partition; returns the new generation. */
    public long claim(int partition, String worker, String address) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO kafka_partition_owners "
                    + "(topic, partition, owner, address, generation, claimed_at) VALUES (?, ?, ?, ?, 1, ?) "
                    + "ON CONFLICT (topic, partition) DO UPDATE SET owner = EXCLUDED.owner, "
                    + "address = EXCLUDED.address, generation = kafka_partition_owners.generation + 1, "
                    + "claimed_at = EXCLUDED.claimed_at RETURNING generation")) {
                ps.setString(1, topic);
                ps.setInt(2, partition);
                ps.setString(3, worker);
                ps.setString(4, address);
                ps.setLong(5, clock.millis());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Removes the row if {@code worker} still owns the partition at {@code generation}. */
    public void release(int partition, String worker, long generation) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM kafka_partition_owners WHERE topic = ? "
                    + "AND partition = ? AND owner = ? AND generation = ?")) {
                ps.setString(1, topic);
                ps.setInt(2, partition);
                ps.setString(3, worker);
                ps.setLong(4, generation);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** partition -> owner, for every partition with one. */
    public Map<Integer, Owner> read() {
        return db.inTransaction(c -> {
            Map<Integer, Owner> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT partition, owner, address, generation "
                    + "FROM kafka_partition_owners WHERE topic = ?")) {
                ps.setString(1, topic);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getInt(1), new Owner(rs.getString(2), rs.getString(3), rs.getLong(4)));
                    }
                }
            }
            return out;
        });
    }
}
