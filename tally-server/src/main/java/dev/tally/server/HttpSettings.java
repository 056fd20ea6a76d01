package dev.tally.server;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the HTTP listener accepts connections and how long it waits for clients.
 *
 * <ul>
 *   <li>{@code host}: the address to bind, {@code 127.0.0.1} by default (loopback: a first run is not
 *       reachable from the network); {@code 0.0.0.0} (or {@code ::}) listens on every interface, normally
 *       behind a TLS-terminating reverse proxy.</li>
 *   <li>{@code headerTimeout}: a request's line and headers must arrive in full within this time of
 *       its first byte (or of the connection opening); otherwise the connection is closed. A client that
 *       sends one header byte a second no longer holds a connection for ever.</li>
 *   <li>{@code bodyTimeout}: a request's body must arrive in full within this time of its headers;
 *       otherwise the answer is 408 {@code request-timeout} and the connection is closed.</li>
 *   <li>{@code idleTimeout}: a connection on which nothing moves for this long is closed (between
 *       requests, or mid-request and mid-response).</li>
 * </ul>
 * {@link #fromEnvironment} reads TALLY_HOST, TALLY_HTTP_HEADER_TIMEOUT_SECONDS (10),
 * TALLY_HTTP_BODY_TIMEOUT_SECONDS (60) and TALLY_HTTP_IDLE_TIMEOUT_SECONDS (30).
 */
public record HttpSettings(String host, Duration headerTimeout, Duration bodyTimeout, Duration idleTimeout) {
    /** Loopback, 10 s for headers, 60 s for a body, 30 s idle. */
    public static final HttpSettings DEFAULTS = new HttpSettings("127.0.0.1", Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofSeconds(30));

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("the host to listen on must not be blank (0.0.0.0 means every interface)");
        }
        positive(headerTimeout, "header timeout");
        positive(bodyTimeout, "body timeout");
        positive(idleTimeout, "idle timeout");
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("the HTTP " + what + " must be positive");
        }
    }

    public static HttpSettings fromEnvironment(Map<String, String> env) {
        return new HttpSettings(env.getOrDefault("TALLY_HOST", DEFAULTS.host()).trim(),
                seconds(env, "TALLY_HTTP_HEADER_TIMEOUT_SECONDS", DEFAULTS.headerTimeout()),
                seconds(env, "TALLY_HTTP_BODY_TIMEOUT_SECONDS", DEFAULTS.bodyTimeout()),
                seconds(env, "TALLY_HTTP_IDLE_TIMEOUT_SECONDS", DEFAULTS.idleTimeout()));
    }

    private static Duration seconds(Map<String, String> env, String name, Duration fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of seconds, not '" + v + "'");
        }
    }

    public HttpSettings withHost(String h) {
        return new HttpSettings(h, headerTimeout, bodyTimeout, idleTimeout);
    }

    public HttpSettings withHeaderTimeout(Duration d) {
        return new HttpSettings(host, d, bodyTimeout, idleTimeout);
    }

    public HttpSettings withBodyTimeout(Duration d) {
        return new HttpSettings(host, headerTimeout, d, idleTimeout);
    }

    public HttpSettings withIdleTimeout(Duration d) {
        return new HttpSettings(host, headerTimeout, bodyTimeout, d);
    }
}
