package dev.tally.server;

import dev.tally.engine.notify.WebhookSettings;
import dev.tally.engine.secrets.SecretsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to run the server: port (0 picks a free one), data directory, an
 * optional bootstrap admin key, an optional meters-as-code file, and the
 * backdating window. {@link #fromEnvironment} reads TALLY_PORT (8080),
 * TALLY_DATA_DIR (./data), TALLY_BOOTSTRAP_KEY, TALLY_METERS_FILE and
 * TALLY_BACKDATING_DAYS (35), TALLY_BILLING_INTERVAL_SECONDS (60; 0 runs billing only when asked) and
 * TALLY_DATABASE_URL (PostgreSQL instead of the embedded store), and for webhooks
 * TALLY_WEBHOOKS_ALLOW_PRIVATE (false: endpoints must resolve to public addresses) and
 * TALLY_WEBHOOKS_DELIVERY_INTERVAL_MS (1000), for the listener TALLY_HOST (127.0.0.1: loopback
 * only) and its timeouts ({@link HttpSettings}), and the key that encrypts stored secrets: TALLY_SECRETS_KEY or
 * TALLY_SECRETS_KEY_FILE (neither: the data directory's generated secrets-key file), and the Stripe provider's
 * TALLY_STRIPE_* settings ({@link dev.tally.server.stripe.StripeSettings#fromEnvironment}), and for the duplicate
 * index TALLY_DEDUP_WINDOW_HOURS (the backdating window plus one day) and TALLY_DEDUP_MEMORY_MB (1024).
 */
public record ServerConfig(int port, Path dataDir, Optional<String> bootstrapKey, Optional<Path> metersFile,
        Duration backdatingWindow, Duration billingEvery, Optional<String> databaseUrl, WebhookSettings webhooks,
        HttpSettings http, SecretsConfig secrets, dev.tally.server.stripe.StripeSettings stripe,
        dev.tally.engine.log.DedupSettings dedup) {
    /** A configuration with the default dedup settings ({@link dev.tally.engine.log.DedupSettings#DEFAULTS}). */
    public ServerConfig(int port, Path dataDir, Optional<String> bootstrapKey, Optional<Path> metersFile,
            Duration backdatingWindow, Duration billingEvery, Optional<String> databaseUrl, WebhookSettings webhooks,
            HttpSettings http, SecretsConfig secrets, dev.tally.server.stripe.StripeSettings stripe) {
        this(port, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl, webhooks, http,
                secrets, stripe, dev.tally.engine.log.DedupSettings.DEFAULTS);
    }

    /** A configuration with the default Stripe settings ({@link dev.tally.server.stripe.StripeSettings#DEFAULTS}). */
    public ServerConfig(int port, Path dataDir, Optional<String> bootstrapKey, Optional<Path> metersFile,
            Duration backdatingWindow, Duration billingEvery, Optional<String> databaseUrl, WebhookSettings webhooks,
            HttpSettings http, SecretsConfig secrets) {
        this(port, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl, webhooks, http,
                secrets, dev.tally.server.stripe.StripeSettings.DEFAULTS);
    }

    /** A configuration with the default listener settings ({@link HttpSettings#DEFAULTS}: loopback). */
    public ServerConfig(int port, Path dataDir, Optional<String> bootstrapKey, Optional<Path> metersFile,
            Duration backdatingWindow, Duration billingEvery, Optional<String> databaseUrl, WebhookSettings webhooks) {
        this(port, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl, webhooks,
                HttpSettings.DEFAULTS);
    }

    /** A configuration whose secrets key is the default (the data directory's generated secrets-key file). */
    public ServerConfig(int port, Path dataDir, Optional<String> bootstrapKey, Optional<Path> metersFile,
            Duration backdatingWindow, Duration billingEvery, Optional<String> databaseUrl, WebhookSettings webhooks,
            HttpSettings http) {
        this(port, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl, webhooks, http,
                SecretsConfig.DEFAULT);
    }

    public ServerConfig {
        Objects.requireNonNull(http);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535");
        }
        Objects.requireNonNull(dataDir);
        Objects.requireNonNull(bootstrapKey);
        Objects.requireNonNull(metersFile);
        Objects.requireNonNull(databaseUrl);
        Objects.requireNonNull(webhooks);
        Objects.requireNonNull(secrets);
        Objects.requireNonNull(stripe);
        Objects.requireNonNull(dedup);
        if (billingEvery.isNegative()) {
            throw new IllegalArgumentException("the billing interval must not be negative");
        }
        if (backdatingWindow.isNegative() || backdatingWindow.isZero()) {
            throw new IllegalArgumentException("the backdating window must be positive");
        }
    }

    public static ServerConfig fromEnvironment(Map<String, String> env) {
        int port = Integer.parseInt(env.getOrDefault("TALLY_PORT", "8080"));
        Path data = Path.of(env.getOrDefault("TALLY_DATA_DIR", "data"));
        Optional<String> key = Optional.ofNullable(env.get("TALLY_BOOTSTRAP_KEY")).filter(s -> !s.isBlank());
        Optional<Path> meters = Optional.ofNullable(env.get("TALLY_METERS_FILE")).filter(s -> !s.isBlank()).map(Path::of);
        Duration backdating = Duration.ofDays(Long.parseLong(env.getOrDefault("TALLY_BACKDATING_DAYS", "35")));
        Duration billing = Duration.ofSeconds(Long.parseLong(env.getOrDefault("TALLY_BILLING_INTERVAL_SECONDS", "60")));
        Optional<String> db = Optional.ofNullable(env.get("TALLY_DATABASE_URL")).filter(s -> !s.isBlank());
        WebhookSettings webhooks = WebhookSettings.DEFAULTS
                .withAllowPrivateAddresses(Boolean.parseBoolean(env.getOrDefault("TALLY_WEBHOOKS_ALLOW_PRIVATE", "false")))
                .withDeliveryEvery(Duration.ofMillis(Long.parseLong(env.getOrDefault("TALLY_WEBHOOKS_DELIVERY_INTERVAL_MS",
                        "1000"))));
        Optional<String> secretsKey = Optional.ofNullable(env.get("TALLY_SECRETS_KEY")).filter(v -> !v.isBlank());
        Optional<Path> secretsFile = Optional.ofNullable(env.get("TALLY_SECRETS_KEY_FILE")).filter(v -> !v.isBlank())
                .map(Path::of);
        return new ServerConfig(port, data, key, meters, backdating, billing, db, webhooks,
                HttpSettings.fromEnvironment(env), new SecretsConfig(secretsKey, secretsFile),
                dev.tally.server.stripe.StripeSettings.fromEnvironment(env),
                dev.tally.engine.log.DedupSettings.fromEnvironment(env));
    }

    public ServerConfig withHttp(HttpSettings h) {
        return new ServerConfig(port, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl,
                webhooks, h, secrets, stripe, dedup);
    }

    public ServerConfig withHost(String host) {
        return withHttp(http.withHost(host));
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(p, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl,
                webhooks, http, secrets, stripe, dedup);
    }

    public ServerConfig withDataDir(Path dir) {
        return new ServerConfig(port, dir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl,
                webhooks, http, secrets, stripe, dedup);
    }

    public ServerConfig withMetersFile(Path f) {
        return new ServerConfig(port, dataDir, bootstrapKey, Optional.of(f), backdatingWindow, billingEvery,
                databaseUrl, webhooks, http, secrets, stripe, dedup);
    }

    public ServerConfig withDatabaseUrl(String url) {
        return new ServerConfig(port, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery,
                Optional.of(url), webhooks, http, secrets, stripe, dedup);
    }

    public ServerConfig withWebhooks(WebhookSettings w) {
        return new ServerConfig(port, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl, w,
                http, secrets, stripe, dedup);
    }

    public ServerConfig withSecrets(SecretsConfig s) {
        return new ServerConfig(port, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl,
                webhooks, http, s, stripe, dedup);
    }

    public ServerConfig withStripe(dev.tally.server.stripe.StripeSettings st) {
        return new ServerConfig(port, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl,
                webhooks, http, secrets, st, dedup);
    }

    public ServerConfig withBootstrapKey(String key) {
        return new ServerConfig(port, dataDir, Optional.of(key), metersFile, backdatingWindow, billingEvery,
                databaseUrl, webhooks, http, secrets, stripe, dedup);
    }

    public ServerConfig withDedup(dev.tally.engine.log.DedupSettings d) {
        return new ServerConfig(port, dataDir, bootstrapKey, metersFile, backdatingWindow, billingEvery, databaseUrl,
                webhooks, http, secrets, stripe, d);
    }
}
