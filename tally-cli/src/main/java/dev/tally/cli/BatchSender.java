package dev.tally.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends a {@link BenchWorkload} over {@code concurrency} keep-alive
 * connections, each a {@link RawHttpConnection} on its own thread taking the
 * next unsent batch. A batch that gets 429/502/503/504 or a connection error
 * is re-sent after a backoff (safe: the server deduplicates); its latency runs
 * from the first attempt to the final response. A 401/403 stops the run.
 */
final class BatchSender {
    private static final int MAX_FAILURE_MESSAGES = 5;

    /**
     * What happened to a workload.
     *
     * @param sent          events in batches the server acknowledged
     * @param failedBatches batches that never got a 2xx (their events are not in {@code sent})
     * @param retries       re-sends after 429/5xx/connection errors
     */
    record Result(int batches, long sent, long accepted, long duplicates, long rejected, int failedBatches,
            long retries, long wallNanos, LatencyStats latency, List<String> failures) {
        boolean countsAddUp() {
            return accepted + duplicates + rejected == sent;
        }
    }

    private BatchSender() {
    }

    static Result send(String host, int port, BenchWorkload workload, int concurrency, RetryPolicy retry,
            ProgressBar progress) {
        List<byte[]> requests = workload.requests();
        int n = requests.size();
        int[] sizes = workload.eventsPerBatch();
        long[] latencies = new long[n];
        boolean[] acknowledged = new boolean[n];
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean abort = new AtomicBoolean();
        LongAdder accepted = new LongAdder();
        LongAdder duplicates = new LongAdder();
        LongAdder rejected = new LongAdder();
        LongAdder retries = new LongAdder();
        AtomicInteger failed = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Runnable worker = () -> {
            try (RawHttpConnection connection = new RawHttpConnection(host, port, 120_000)) {
                int i;
                while (!abort.get() && (i = next.getAndIncrement()) < n) {
                    long started = System.nanoTime();
                    String failure = null;
                    for (int attempt = 0; ; attempt++) {
                        RawResponse response;
                        try {
                            response = connection.exchange(requests.get(i));
                        } catch (IOException e) {
                            if (attempt >= retry.maxRetries()) {
                                failure = "batch " + i + ": " + ApiClient.describe(e);
                                break;
                            }
                            retries.increment();
                            retry.sleep(attempt + 1, Optional.empty());
                            continue;
                        }
                        int status = response.status();
                        if (status >= 200 && status < 300) {
                            try {
                                IngestCounts counts = IngestCounts.scan(response.body());
                                if (counts.total() != sizes[i]) {
                                    failure = "batch " + i + ": response counts " + counts.total() + " results for "
                                            + sizes[i] + " events";
                                    break;
                                }
                                latencies[i] = System.nanoTime() - started;
                                acknowledged[i] = true;
                                accepted.add(counts.accepted());
                                duplicates.add(counts.duplicates());
                                rejected.add(counts.rejected());
                            } catch (MalformedResponseException e) {
                                failure = "batch " + i + ": " + e.getMessage();
                            }
                            break;
                        }
                        if (RetryPolicy.retryableStatus(status) && attempt < retry.maxRetries()) {
                            retries.increment();
                            retry.sleep(attempt + 1, response.header("retry-after"));
                            continue;
                        }
                        if (status == 401 || status == 403) {
                            abort.set(true);
                        }
                        failure = "batch " + i + ": HTTP " + response.toApiResponse().problem();
                        break;
                    }
                    if (failure != null) {
                        failed.incrementAndGet();
                        if (failures.size() < MAX_FAILURE_MESSAGES) {
                            failures.add(failure);
                        }
                        progress.failed(sizes[i], sizes[i]);
                    } else {
                        progress.add(sizes[i], sizes[i]);
                    }
                }
            }
        };
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            threads.add(Thread.ofPlatform().name("bench-sender-" + c).start(worker));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort.set(true);
                throw new CliFailureException("interrupted");
            }
        }
        long wall = System.nanoTime() - start;
        long sent = 0;
        long[] okLatencies = new long[n];
        int ok = 0;
        for (int i = 0; i < n; i++) {
            if (acknowledged[i]) {
                sent += sizes[i];
                okLatencies[ok++] = latencies[i];
            }
        }
        int notSent = n - Math.min(n, next.get());
        return new Result(n, sent, accepted.sum(), duplicates.sum(), rejected.sum(), failed.get() + notSent,
                retries.sum(), wall, LatencyStats.of(okLatencies, ok), List.copyOf(failures));
    }
}
