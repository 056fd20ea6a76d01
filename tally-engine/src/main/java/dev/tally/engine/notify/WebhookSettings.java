package dev.tally.engine.notify;

import java.time.Duration;
import java.util.Objects;

/**
 * How webhooks are delivered. {@code allowPrivateAddresses} lets endpoints resolve to private, loopback,
 * link-local and similar addresses (refused by default: see docs/WEBHOOKS.md); {@code deliveryEvery} is how
 * often the engine fans out the outbox and sends due deliveries (zero: only when {@link Webhooks#deliverDue}
 * is called, as tests do); {@code summaryEvery} is how often rejected events are summarized per tenant (zero:
 * only when {@link Webhooks#summarizeRejections} is called); {@code requestTimeout} bounds one attempt (15 s;
 * tests shorten it).
 */
public record WebhookSettings(boolean allowPrivateAddresses, Duration deliveryEvery, Duration summaryEvery,
        Duration requestTimeout) {
    /** Production: public addresses only, deliveries every second, hourly summaries, 15 s per attempt. */
    public static final WebhookSettings DEFAULTS = new WebhookSettings(false, Duration.ofSeconds(1), Duration.ofHours(1),
            Duration.ofSeconds(15));
    /** Nothing scheduled: the caller drives delivery and summaries. */
    public static final WebhookSettings MANUAL = new WebhookSettings(false, Duration.ZERO, Duration.ZERO,
            Duration.ofSeconds(15));

    public WebhookSettings {
        Objects.requireNonNull(deliveryEvery);
        Objects.requireNonNull(summaryEvery);
        Objects.requireNonNull(requestTimeout);
        if (deliveryEvery.isNegative() || summaryEvery.isNegative()) {
            throw new IllegalArgumentException("webhook intervals must not be negative");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero() || requestTimeout.compareTo(Duration.ofSeconds(15)) > 0) {
            throw new IllegalArgumentException("the webhook request timeout must be positive and at most 15 s");
        }
    }

    public WebhookSettings withAllowPrivateAddresses(boolean allow) {
        return new WebhookSettings(allow, deliveryEvery, summaryEvery, requestTimeout);
    }

    public WebhookSettings withRequestTimeout(Duration timeout) {
        return new WebhookSettings(allowPrivateAddresses, deliveryEvery, summaryEvery, timeout);
    }

    public WebhookSettings withDeliveryEvery(Duration every) {
        return new WebhookSettings(allowPrivateAddresses, every, summaryEvery, requestTimeout);
    }
}
