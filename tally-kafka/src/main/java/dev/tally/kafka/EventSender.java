package dev.tally.kafka;

import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.ingest.StorageUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends event records to the topic and returns only when Kafka has acknowledged every one: key tenant + NUL +
 * subject (one customer, one partition, in order), idempotent producer, {@code acks=all}. A failed send throws
 * {@link StorageUnavailableException} (nothing counts as acknowledged; records that did reach Kafka are dropped as
 * repeats when the client retries) and replaces the producer, whose sequence errors are fatal.
 */
public final class EventSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventSender.class);
    private final Map<String, Object> producerConfig;
    private final String topic;
    private final Object producerLock = new Object();
    private KafkaProducer<byte[], byte[]> producer;

    public EventSender(Map<String, Object> clientConfig, String topic) {
        this.producerConfig = producerConfig(clientConfig);
        this.topic = topic;
        this.producer = new KafkaProducer<>(producerConfig);
    }

    static Map<String, Object> producerConfig(Map<String, Object> clientConfig) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.putAll(clientConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    public String topic() {
        return topic;
    }

    /** Sends every candidate's record and waits for all acknowledgements; their partitions and offsets, in order. */
    public List<RecordMetadata> send(List<EventStore.Candidate> candidates) {
        if (candidates.isEmpty()) {
            return List.of();
        }
        KafkaProducer<byte[], byte[]> p = producer();
        List<Future<RecordMetadata>> sent = new ArrayList<>(candidates.size());
        try {
            for (EventStore.Candidate c : candidates) {
                sent.add(p.send(new ProducerRecord<>(topic, EventRecords.key(c.tenant(), c.subject()), c.record())));
            }
            p.flush();
            List<RecordMetadata> out = new ArrayList<>(sent.size());
            for (Future<RecordMetadata> f : sent) {
                out.add(f.get());
            }
            return out;
        } catch (ExecutionException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            failed(p, cause);
            throw new StorageUnavailableException("Kafka did not acknowledge the events", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(p, e);
            throw new StorageUnavailableException("interrupted while waiting for Kafka", e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        synchronized (producerLock) {
            if (producer == null) {
                producer = new KafkaProducer<>(producerConfig);
            }
            return producer;
        }
    }

    private void failed(KafkaProducer<byte[], byte[]> p, Throwable cause) {
        LOG.warn("Kafka send failed; the request gets 503 and the producer is recreated: {}", cause.toString());
        synchronized (producerLock) {
            if (producer == p) {
                producer = null;
            }
        }
        try {
            p.close(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.debug("closing the failed producer", e);
        }
    }

    @Override
    public void close() {
        synchronized (producerLock) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
        }
    }
}
