package dev.tally.engine.positions;

import java.util.Optional;

/** What the position index needs of a stored record: an event's tenant, subject and hour; nothing for others. */
@FunctionalInterface
public interface EventKeys {
    /** The event's key and hour (epoch hours of its event time); empty for a record that is not an event. */
    Optional<Keyed> of(byte[] record);

    /** An event's tenant, subject (customer) and hour bucket. */
    record Keyed(String tenant, String customer, long hour) {
        public Keyed {
            java.util.Objects.requireNonNull(tenant, "tenant");
            java.util.Objects.requireNonNull(customer, "customer");
        }
    }
}
