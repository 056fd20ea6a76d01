package dev.tally.server.stripe;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the Stripe provider talks to Stripe: the API base ({@value #DEFAULT_API_BASE}, or a local stub in tests), how
 * often the push step runs (zero: only when called, as tests do), the first and the longest backoff after a failed
 * push (doubling in between; a longer Retry-After from Stripe wins), and the client's connect and read timeouts.
 * {@link #fromEnvironment} reads TALLY_STRIPE_API_BASE, TALLY_STRIPE_PUSH_INTERVAL_MS (5000),
 * TALLY_STRIPE_BACKOFF_FIRST_MS (30000) and TALLY_STRIPE_BACKOFF_MAX_MS (3600000).
 */
public record StripeSettings(URI apiBase, Duration pushEvery, Duration firstBackoff, Duration maxBackoff,
        Duration connectTimeout, Duration readTimeout) {
    public static final String DEFAULT_API_BASE = "https://api.stripe.com";
    public static final StripeSettings DEFAULTS = new StripeSettings(URI.create(DEFAULT_API_BASE), Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofSeconds(30));

    public StripeSettings {
        Objects.requireNonNull(apiBase);
        if (!"https".equals(apiBase.getScheme()) && !"http".equals(apiBase.getScheme())) {
            throw new IllegalArgumentException("the Stripe API base must be an http(s) URL");
        }
        for (Duration d : new Duration[] {pushEvery, firstBackoff, maxBackoff, connectTimeout, readTimeout}) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("Stripe durations must not be negative");
            }
        }
        if (maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("the longest backoff must not be shorter than the first");
        }
    }

    /** The same settings against another API base (e.g. a stub on this machine). */
    public StripeSettings withApiBase(URI base) {
        return new StripeSettings(base, pushEvery, firstBackoff, maxBackoff, connectTimeout, readTimeout);
    }

    public StripeSettings withPushEvery(Duration every) {
        return new StripeSettings(apiBase, every, firstBackoff, maxBackoff, connectTimeout, readTimeout);
    }

    public StripeSettings withBackoff(Duration first, Duration max) {
        return new StripeSettings(apiBase, pushEvery, first, max, connectTimeout, readTimeout);
    }

    public static StripeSettings fromEnvironment(Map<String, String> env) {
        String base = env.getOrDefault("TALLY_STRIPE_API_BASE", DEFAULT_API_BASE);
        return new StripeSettings(URI.create(base.isBlank() ? DEFAULT_API_BASE : base),
                Duration.ofMillis(Long.parseLong(env.getOrDefault("TALLY_STRIPE_PUSH_INTERVAL_MS", "5000"))),
                Duration.ofMillis(Long.parseLong(env.getOrDefault("TALLY_STRIPE_BACKOFF_FIRST_MS", "30000"))),
                Duration.ofMillis(Long.parseLong(env.getOrDefault("TALLY_STRIPE_BACKOFF_MAX_MS", "3600000"))),
                DEFAULTS.connectTimeout, DEFAULTS.readTimeout);
    }
}
