package dev.tally.engine.notify;

import java.util.Objects;

/** An endpoint together with its new signing secret ({@code whsec_...}): the one time the secret is shown. */
public record EndpointSecret(WebhookEndpoint endpoint, String secret) {
    public EndpointSecret {
        Objects.requireNonNull(endpoint);
        Objects.requireNonNull(secret);
    }
}
