package dev.tally.engine.notify;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends one signed POST: JSON body, the Standard Webhooks headers, no redirects followed (a 3xx is a failed
 * attempt), and a deadline for the whole exchange (15 s by default).
 */
final class Sender implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** What one request got: a status code, or an error when there was no (complete) answer in time. */
    record Outcome(Optional<Integer> statusCode, Optional<String> error, long durationMillis) {
        static Outcome error(String error, long durationMillis) {
            return new Outcome(Optional.empty(), Optional.of(error), durationMillis);
        }
    }

    private final HttpClient client;
    private final Duration timeout;

    Sender(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout.compareTo(CONNECT_TIMEOUT) < 0 ? timeout : CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    Outcome post(URI uri, String messageId, long timestamp, String signature, byte[] body) {
        long started = System.nanoTime();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Tally-Webhooks/1")
                    .header("webhook-id", messageId)
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
        } catch (IllegalArgumentException e) {
            return Outcome.error("the URL cannot be requested", elapsed(started));
        }
        CompletableFuture<HttpResponse<Void>> pending = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            HttpResponse<Void> response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            int status = response.statusCode();
            Optional<String> error = status >= 300 && status < 400
                    ? Optional.of("redirect not followed (Location: "
                            + truncate(response.headers().firstValue("Location").orElse("none")) + ")")
                    : Optional.empty();
            return new Outcome(Optional.of(status), error, elapsed(started));
        } catch (TimeoutException e) {
            pending.cancel(true);
            return Outcome.error("timeout: no complete answer within " + timeout.toMillis() + " ms", elapsed(started));
        } catch (ExecutionException e) {
            return Outcome.error(describe(e.getCause()), elapsed(started));
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            return Outcome.error("interrupted (the server is stopping)", elapsed(started));
        }
    }

    /** A short, safe description of a transport failure (no stack traces, no internal detail). */
    private String describe(Throwable t) {
        if (t instanceof HttpConnectTimeoutException) {
            return "connect timeout";
        }
        if (t instanceof HttpTimeoutException) {
            return "timeout: no complete answer within " + timeout.toMillis() + " ms";
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "connection refused or unreachable";
            }
            if (c instanceof javax.net.ssl.SSLException) {
                return "TLS handshake failed";
            }
        }
        if (t instanceof IOException) {
            return "connection error (" + t.getClass().getSimpleName() + ")";
        }
        return "request failed (" + (t == null ? "unknown" : t.getClass().getSimpleName()) + ")";
    }

    private static String truncate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static long elapsed(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
