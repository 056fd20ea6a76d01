package dev.tally.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prepaid customers for {@code bench ingest --prepaid N}: the first {@code N} of the benchmark's customers
 * ({@code customer-0} ...) each get a subscription to the plan {@code bench_prepaid} (one usage charge on
 * {@code bench_tokens}), a wallet with one grant, and the plan gets one balance alert, so that every event of those
 * customers marks a live balance to recompute and evaluate. Made over the HTTP API (so it works against a remote
 * server too), before anything is timed; existing ones (409) are fine.
 */
final class PrepaidSetup {
    private PrepaidSetup() {
    }

    static void create(BenchTarget server, RetryPolicy retry, int customers, int concurrency, Instant now,
            PrintWriter out) {
        ApiClient api = server.client(retry);
        long started = System.nanoTime();
        post(api, "/v1/plans", "{\"key\":\"bench_prepaid\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":"
                + "[{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"bench_tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.0001\"}}]}");
        String start = now.truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS).toString();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicLong next = new AtomicLong();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < concurrency; t++) {
                work.add(pool.submit(() -> {
                    for (long i; (i = next.getAndIncrement()) < customers; ) {
                        String c = "customer-" + i;
                        post(api, "/v1/customers", "{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\","
                                + "\"currency\":\"USD\"}");
                        post(api, "/v1/subscriptions", "{\"customer\":\"" + c + "\",\"plan\":\"bench_prepaid\","
                                + "\"start\":\"" + start + "\"}");
                        post(api, "/v1/customers/" + c + "/grants", "{\"amount\":\"1000000.00\",\"reason\":\"bench\"}");
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailureException("interrupted while creating prepaid customers");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CliFailureException(String.valueOf(e.getCause()));
        } finally {
            pool.shutdownNow();
        }
        post(api, "/v1/alerts", "{\"plan\":\"bench_prepaid\",\"metric\":\"balance\",\"thresholds\":[\"100.00\"]}");
        out.printf("prepaid: %,d customers with a subscription, a wallet and a grant, one balance alert (%s s)%n",
                customers, Format.seconds(System.nanoTime() - started));
        out.flush();
    }

    private static void post(ApiClient api, String path, String json) {
        ApiResponse r = api.post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
        if (!r.ok() && r.status() != 409) {
            throw new RequestFailedException("bench setup: POST " + path + ": HTTP " + r.problem(), r.status());
        }
    }

    /** For an embedded server: how many live balances wait, now. */
    static Optional<Integer> backlog(BenchTarget server) {
        return server.engine().map(e -> e.liveCredits().backlog());
    }
}
