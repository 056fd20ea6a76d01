package dev.tally.engine.payment.dunning;

import dev.tally.engine.payment.ManualProvider;
import dev.tally.engine.payment.PaymentProvider;
import dev.tally.engine.payment.RetryOutcome;
import dev.tally.engine.payment.RetryRequest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a provider that charges (in place of {@code manual}, under its name): records every retry's
 * idempotency key, and fails the first {@code outages} calls as an unreachable provider does.
 */
final class RecordingProvider implements PaymentProvider {
    final List<String> keys = new CopyOnWriteArrayList<>();
    private final AtomicInteger outages;

    RecordingProvider(int outages) {
        this.outages = new AtomicInteger(outages);
    }

    @Override
    public String name() {
        return ManualProvider.NAME;
    }

    @Override
    public RetryOutcome retry(RetryRequest request) {
        keys.add(request.idempotencyKey());
        if (outages.getAndDecrement() > 0) {
            throw new IllegalStateException("provider unreachable");
        }
        return new RetryOutcome(RetryOutcome.Status.REQUESTED, Optional.of("ch_" + request.attempt()), "charge requested");
    }
}
