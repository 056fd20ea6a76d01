package dev.tally.engine.payment.dunning;

import dev.tally.engine.payment.PaymentProvider;
import dev.tally.engine.payment.RetryOutcome;
import dev.tally.engine.payment.RetryRequest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a provider that charges (registered with {@code Payments}, collecting every invoice): records every
 * retry's idempotency key, and answers the first {@code outages} calls as an unreachable provider does.
 */
final class RecordingProvider implements PaymentProvider {
    final List<String> keys = new CopyOnWriteArrayList<>();
    private final AtomicInteger outages;
    private final AtomicInteger charges = new AtomicInteger();

    RecordingProvider(int outages) {
        this.outages = new AtomicInteger(outages);
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public boolean collects(String tenant, String invoiceId) {
        return true;
    }

    @Override
    public RetryOutcome retry(RetryRequest request) {
        keys.add(request.idempotencyKey());
        if (outages.getAndDecrement() > 0) {
            return new RetryOutcome(name(), RetryOutcome.Kind.UNAVAILABLE, "provider unreachable");
        }
        return new RetryOutcome(name(), RetryOutcome.Kind.REQUESTED, Optional.of("ch_" + charges.incrementAndGet()),
                "charge requested");
    }
}
