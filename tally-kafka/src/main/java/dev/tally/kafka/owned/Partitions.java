package dev.tally.kafka.owned;

import dev.tally.kafka.EventRecords;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of a customer: Kafka's default partitioner for a keyed record (murmur2 of the key, made positive,
 * modulo the partition count), with the producer's key tenant + NUL + subject; so it is where the API nodes' sends
 * of that customer went.
 */
public final class Partitions {
    private Partitions() {
    }

    public static int of(String tenant, String subject, int partitions) {
        byte[] key = EventRecords.key(tenant.getBytes(StandardCharsets.UTF_8), subject);
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }
}
