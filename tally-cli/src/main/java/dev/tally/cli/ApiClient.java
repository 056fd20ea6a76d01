package dev.tally.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A small client of the Tally HTTP API over {@link HttpClient} (HTTP/1.1),
 * with the bearer key and the {@link RetryPolicy} applied to every request.
 * Used by the commands that are not about raw speed; {@code bench} has its own
 * socket client.
 */
final class ApiClient {
    private final URI base;
    private final String key;
    private final RetryPolicy retry;
    private final HttpClient http;
    private final Duration timeout;

    ApiClient(URI base, String key, RetryPolicy retry) {
        this(base, key, retry, Duration.ofSeconds(60));
    }

    ApiClient(URI base, String key, RetryPolicy retry, Duration timeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.key = key;
        this.retry = retry;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    URI base() {
        return base;
    }

    ApiResponse post(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", contentType)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    ApiResponse get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(timeout)
                .header("Authorization", "Bearer " + key)
                .header("Accept", "application/json")
                .GET()
                .build());
    }

    ApiResponse delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + key)
                .header("Accept", "application/json")
                .DELETE()
                .build());
    }

    /**
     * Sends, retrying on connection errors and on 429/502/503/504. Returns the
     * last response (which may still be an error status); throws when the
     * server could not be reached at all.
     */
    ApiResponse send(HttpRequest request) {
        Optional<String> retryAfter = Optional.empty();
        for (int attempt = 0; ; attempt++) {
            if (attempt > 0) {
                retry.sleep(attempt, retryAfter);
            }
            retryAfter = Optional.empty();
            try {
                HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                ApiResponse response = new ApiResponse(r.statusCode(), r.body(), r.headers().firstValue("Retry-After"));
                if (!RetryPolicy.retryableStatus(r.statusCode()) || attempt >= retry.maxRetries()) {
                    return response;
                }
                retryAfter = response.retryAfter();
            } catch (IOException e) {
                if (attempt >= retry.maxRetries()) {
                    throw new ServerUnreachableException("cannot reach " + base + " (" + describe(e) + ")", e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailureException("interrupted");
            }
        }
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
