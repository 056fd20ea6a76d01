package dev.tally.cli;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When and how long to wait before re-sending a request. Ingestion is
 * idempotent (the server deduplicates on source + id), so a request that got
 * 429, 502, 503, 504 or a connection error is simply sent again, after an
 * exponential backoff with jitter, or after the server's {@code Retry-After}.
 */
record RetryPolicy(int maxRetries, Duration initialDelay, Duration maxDelay) {
    static final RetryPolicy DEFAULT = new RetryPolicy(8, Duration.ofMillis(100), Duration.ofSeconds(5));

    RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative");
        }
    }

    static RetryPolicy withRetries(int maxRetries) {
        return new RetryPolicy(maxRetries, DEFAULT.initialDelay, DEFAULT.maxDelay);
    }

    /** Whether a response status means "try again later" rather than "this request is wrong". */
    static boolean retryableStatus(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    /** The wait before retry number {@code attempt} (1-based), honouring a Retry-After in seconds. */
    Duration delay(int attempt, Optional<String> retryAfter) {
        if (retryAfter.isPresent()) {
            try {
                long seconds = Long.parseLong(retryAfter.get().trim());
                return Duration.ofSeconds(Math.min(Math.max(seconds, 0), maxDelay.toSeconds() * 2));
            } catch (NumberFormatException httpDate) {
                // an HTTP-date: fall back to our own backoff
            }
        }
        long base = initialDelay.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, maxDelay.toMillis());
        long jitter = ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        return Duration.ofMillis(capped / 2 + jitter);
    }

    /** Sleeps for {@link #delay}; an interrupt ends the command. */
    void sleep(int attempt, Optional<String> retryAfter) {
        try {
            Thread.sleep(delay(attempt, retryAfter));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailureException("interrupted while waiting to retry");
        }
    }
}
