package dev.tally.server.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.net.Authenticator;
import com.stripe.net.BearerTokenAuthenticator;
import com.stripe.net.HttpClient;
import com.stripe.net.HttpURLConnectionClient;
import com.stripe.net.LiveStripeResponseGetter;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;
import com.stripe.net.StripeResponseGetterOptions;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.time.Duration;
import java.util.Optional;

/**
 * Makes a stripe-java client for one tenant's API key against the configured API base, with stripe-java's own
 * network retries off (the push step retries with its own backoff) and the last answer's {@code Retry-After}
 * remembered per thread ({@link #lastRetryAfter}), which stripe-java's exceptions do not carry.
 */
final class StripeClients {
    private final StripeSettings settings;
    private final ThreadLocal<Duration> retryAfter = new ThreadLocal<>();

    StripeClients(StripeSettings settings) {
        this.settings = settings;
    }

    StripeClient forKey(String apiKey) {
        retryAfter.remove();
        HttpClient http = new HttpClient() {
            private final HttpURLConnectionClient inner = new HttpURLConnectionClient();

            @Override
            public StripeResponse request(StripeRequest request) throws StripeException {
                StripeResponse r = inner.request(request);
                if (r.code() == 429 || r.code() >= 500) {
                    r.headers().firstValue("Retry-After").flatMap(StripeClients::seconds).ifPresent(retryAfter::set);
                }
                if (r.code() >= 400 && !looksLikeJsonObject(r.body())) {
                    // e.g. a proxy's bare 502: stripe-java expects Stripe's error object, so give it one
                    return new StripeResponse(r.code(), r.headers(), "{\"error\":{\"type\":\"api_error\","
                            + "\"message\":\"HTTP " + r.code() + " without a Stripe error body\"}}");
                }
                return r;
            }
        };
        return new StripeClient(new LiveStripeResponseGetter(new Options(new BearerTokenAuthenticator(apiKey),
                settings), http));
    }

    /** The Retry-After of the last 429 or 5xx answer this thread received from a client made since its last call. */
    Optional<Duration> lastRetryAfter() {
        return Optional.ofNullable(retryAfter.get());
    }

    private static boolean looksLikeJsonObject(String body) {
        return body != null && body.strip().startsWith("{");
    }

    private static Optional<Duration> seconds(String v) {
        try {
            long s = Long.parseLong(v.trim());
            return s >= 0 ? Optional.of(Duration.ofSeconds(Math.min(s, 86_400))) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static final class Options extends StripeResponseGetterOptions {
        private final Authenticator auth;
        private final StripeSettings s;

        Options(Authenticator auth, StripeSettings s) {
            this.auth = auth;
            this.s = s;
        }

        @Override
        public Authenticator getAuthenticator() {
            return auth;
        }

        @Override
        public String getClientId() {
            return null;
        }

        @Override
        public int getConnectTimeout() {
            return (int) s.connectTimeout().toMillis();
        }

        @Override
        public Proxy getConnectionProxy() {
            return null;
        }

        @Override
        public int getMaxNetworkRetries() {
            return 0;
        }

        @Override
        public PasswordAuthentication getProxyCredential() {
            return null;
        }

        @Override
        public String getApiBase() {
            return base();
        }

        @Override
        public String getFilesBase() {
            return base();
        }

        @Override
        public String getConnectBase() {
            return base();
        }

        @Override
        public String getMeterEventsBase() {
            return base();
        }

        @Override
        public int getReadTimeout() {
            return (int) s.readTimeout().toMillis();
        }

        @Override
        public String getStripeAccount() {
            return null;
        }

        @Override
        public String getStripeContext() {
            return null;
        }

        private String base() {
            String b = s.apiBase().toString();
            return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        }
    }
}
