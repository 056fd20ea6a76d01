package dev.tally.kafka.owned;

import dev.tally.core.aggregate.Aggregation;
import dev.tally.engine.ingest.StorageUnavailableException;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.kafka.KafkaTopics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * An API node's way to usage figures in the partition-owned mode (it holds no aggregates): a customer's question
 * goes to the owner of the customer's partition ({@link Partitions#of}); a whole-tenant question goes to the owners
 * of every partition, in parallel, and their rows are merged ({@link MergedRows}).
 *
 * <p>Read-your-writes: before asking, the router reads the partition's end offset in Kafka (everything any API
 * node has had acknowledged) and passes it; the owner answers only when it has stored everything before it. So an
 * answer includes every event acknowledged before the question. An owner that moved (409), cannot be reached, or
 * is still restoring (503) is asked again, after reading the owners again, until the timeout; then
 * {@link StorageUnavailableException}.
 */
public final class OwnerRouter implements AutoCloseable {
    private final String topic;
    private final PartitionOwners owners;
    private final Admin admin;
    private final HttpClient http;
    private final Duration timeout;
    private volatile Map<Integer, PartitionOwners.Owner> known = Map.of();
    private volatile int partitions;

    public OwnerRouter(Map<String, Object> clientConfig, String topic, PartitionOwners owners, Duration timeout) {
        this.topic = topic;
        this.owners = owners;
        this.timeout = timeout;
        this.admin = Admin.create(KafkaTopics.adminClientConfig(clientConfig));
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    /**
     * The usage rows, as the single-process engine would answer them. A whole-tenant question of an aggregation
     * whose per-partition results cannot be combined exactly ({@code unique_count}, {@code latest}) is refused with
     * {@link UnsupportedOperationException}: ask per customer.
     */
    public List<UsageRow> usage(String tenant, UsageRequest request, Aggregation aggregation) {
        int n = partitions();
        if (request.customer().isPresent()) {
            int p = Partitions.of(tenant, request.customer().get(), n);
            return join(ask(p, tenant, request, endOffsets(List.of(p)).get(p)));
        }
        MergedRows.check(aggregation);
        List<Integer> all = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            all.add(p);
        }
        Map<Integer, Long> ends = endOffsets(all);
        List<CompletableFuture<List<UsageRow>>> answers = new ArrayList<>();
        for (int p : all) {
            answers.add(ask(p, tenant, request, ends.get(p)));
        }
        List<List<UsageRow>> rows = new ArrayList<>();
        for (CompletableFuture<List<UsageRow>> a : answers) {
            rows.add(join(a));
        }
        return MergedRows.merge(rows, aggregation);
    }

    private CompletableFuture<List<UsageRow>> ask(int partition, String tenant, UsageRequest request, long offset) {
        String query = UsageWire.query(tenant, request, offset);
        long deadline = System.nanoTime() + timeout.toNanos();
        return CompletableFuture.supplyAsync(() -> {
            String last = "no owner registered";
            while (System.nanoTime() - deadline < 0) {
                Optional<PartitionOwners.Owner> owner = Optional.ofNullable(known.get(partition));
                if (owner.isPresent()) {
                    try {
                        HttpRequest r = HttpRequest.newBuilder(URI.create(owner.get().address()
                                + "/internal/v1/partitions/" + partition + "/usage?" + query))
                                .timeout(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))).GET().build();
                        HttpResponse<byte[]> answer = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
                        if (answer.statusCode() == 200) {
                            return UsageWire.rows(answer.body());
                        }
                        if (answer.statusCode() == 400) {
                            throw new IllegalArgumentException(UsageWire.errorMessage(answer.body()));
                        }
                        last = owner.get().worker() + " answered " + answer.statusCode() + ": "
                                + UsageWire.errorMessage(answer.body());
                    } catch (IOException e) {
                        last = owner.get().worker() + " at " + owner.get().address() + ": " + e;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new StorageUnavailableException("interrupted", e);
                    }
                }
                sleep(50);
                refreshOwners();
            }
            throw new StorageUnavailableException("the owner of partition " + partition + " did not answer within "
                    + timeout.toMillis() + " ms (" + last + ")", null);
        }, Thread::startVirtualThread);
    }

    private static List<UsageRow> join(CompletableFuture<List<UsageRow>> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new StorageUnavailableException("asking a partition owner failed", e.getCause());
        }
    }

    private void refreshOwners() {
        try {
            known = owners.read();
        } catch (RuntimeException e) {
            // the next attempt reads again
        }
    }

    /** The topic's partition count (read once; the count of a topic in use does not change under Tally). */
    public int partitions() {
        if (partitions == 0) {
            try {
                partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(),
                        TimeUnit.MILLISECONDS).get(topic).partitions().size();
            } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
                throw new StorageUnavailableException("cannot describe topic " + topic, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageUnavailableException("interrupted", e);
            }
            refreshOwners();
        }
        return partitions;
    }

    /** The end offsets (Kafka's high watermark: what it has acknowledged) of these partitions now. */
    Map<Integer, Long> endOffsets(List<Integer> ps) {
        Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        for (int p : ps) {
            q.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try {
            Map<Integer, Long> out = new HashMap<>();
            admin.listOffsets(q).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return out;
        } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
            throw new StorageUnavailableException("cannot read the end offsets of topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageUnavailableException("interrupted", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        http.close();
    }
}
