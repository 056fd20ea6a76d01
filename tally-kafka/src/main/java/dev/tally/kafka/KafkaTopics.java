package dev.tally.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** The events topic: created with a fixed partition count, replicated, and never compacted. */
public final class KafkaTopics {
    public static final String DEFAULT_TOPIC = "tally-events";

    private KafkaTopics() {
    }

    /**
     * Creates the topic unless it exists: {@code partitions} partitions (the most workers that can share the
     * load; a customer's events always go to one of them), {@code replication} copies, and
     * {@code min.insync.replicas} = replication - 1 (at least 1), so acks=all survives one lost broker.
     * Returns the topic's partition count.
     */
    public static int ensure(Map<String, Object> clientConfig, String topic, int partitions, short replication) {
        return ensure(clientConfig, topic, partitions, java.util.Optional.of(replication));
    }

    /** As above; without a replication factor the brokers' default applies (and their min.insync.replicas). */
    public static int ensure(Map<String, Object> clientConfig, String topic, int partitions,
            java.util.Optional<Short> replication) {
        try (Admin admin = Admin.create(adminConfig(clientConfig))) {
            try {
                Map<String, String> configs = new HashMap<>();
                configs.put("cleanup.policy", "delete");
                replication.ifPresent(r -> configs.put("min.insync.replicas", Integer.toString(Math.max(1, r - 1))));
                NewTopic t = new NewTopic(topic, java.util.Optional.of(partitions), replication).configs(configs);
                admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            // a topic just created may take a moment to show in the metadata
            for (int attempt = 1; ; attempt++) {
                try {
                    return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                            .partitions().size();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt == 50) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create or describe the Kafka topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The subset of client settings an admin client understands (so it logs no unknown-config warnings). */
    public static Map<String, Object> adminClientConfig(Map<String, Object> clientConfig) {
        return adminConfig(clientConfig);
    }

    static Map<String, Object> adminConfig(Map<String, Object> clientConfig) {
        Set<String> known = AdminClientConfig.configNames();
        Map<String, Object> out = new HashMap<>();
        clientConfig.forEach((k, v) -> {
            if (known.contains(k) || k.startsWith("ssl.") || k.startsWith("sasl.")) {
                out.put(k, v);
            }
        });
        return out;
    }
}
