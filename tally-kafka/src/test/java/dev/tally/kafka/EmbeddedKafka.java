package dev.tally.kafka;

import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka cluster in the test JVM: one combined KRaft node (controller and broker), from Kafka's own
 * test kit (the Maven artifact kafka-test-common-runtime), listening on a free port of 127.0.0.1.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static EmbeddedKafka shared;
    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /**
     * One cluster for every test class of this JVM (topics are per test), stopped when the test session ends
     * ({@link KafkaTestSession}).
     */
    public static synchronized EmbeddedKafka shared() throws Exception {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    static synchronized void closeShared() {
        if (shared != null) {
            try {
                shared.close();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(EmbeddedKafka.class).warn("stopping the test broker", e);
            }
            shared = null;
        }
    }

    static EmbeddedKafka start() throws Exception {
        // a broker in a test JVM must never end the JVM (Kafka exits or halts on some fatal errors)
        org.apache.kafka.common.utils.Exit.setExitProcedure((code, message) -> org.slf4j.LoggerFactory
                .getLogger(EmbeddedKafka.class).error("the test broker asked to exit ({}): {}", code, message));
        org.apache.kafka.common.utils.Exit.setHaltProcedure((code, message) -> org.slf4j.LoggerFactory
                .getLogger(EmbeddedKafka.class).error("the test broker asked to halt ({}): {}", code, message));
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).build();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("group.min.session.timeout.ms", "1000")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster);
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Map<String, Object> clientConfig() {
        return Map.of("bootstrap.servers", bootstrapServers());
    }

    /**
     * Worker settings for tests: a crashed worker's partitions move after 5 s instead of 45, and each topic has a
     * consumer group of its own (so a worker killed in one test cannot delay another test's rebalance).
     */
    public Map<String, Object> workerConfig(String topic) {
        return Map.of("bootstrap.servers", bootstrapServers(), "group.id", "tally-workers-" + topic,
                "session.timeout.ms", 5000, "heartbeat.interval.ms", 500);
    }

    /** A new topic with this many partitions. */
    public String newTopic(int partitions) {
        String topic = "tally-events-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        KafkaTopics.ensure(clientConfig(), topic, partitions, (short) 1);
        return topic;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the test broker", e);
        }
    }
}
