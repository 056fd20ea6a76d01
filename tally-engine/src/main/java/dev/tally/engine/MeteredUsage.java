package dev.tally.engine;

import dev.tally.core.billing.Period;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.MeterCatalog;
import dev.tally.engine.billing.UsageSource;
import dev.tally.engine.ingest.StoredEvent;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Billing's view of metering: usage for exact ranges and the events behind a charge, with its filters. */
final class MeteredUsage implements UsageSource {
    private static final java.util.Comparator<StoredEvent> EVENT_TIME_ORDER =
            java.util.Comparator.comparing((StoredEvent e) -> e.event().time()).thenComparingLong(StoredEvent::position);

    private final Engine engine;

    MeteredUsage(Engine engine) {
        this.engine = engine;
    }

    @Override
    public List<UsageRow> usage(String tenant, UsageRequest request) {
        return engine.usageHere(tenant, request);
    }

    @Override
    public void sync() {
        engine.syncWithOthers();
    }

    @Override
    public List<BigDecimal> eventValues(String tenant, String customer, String meter,
            Map<String, Set<String>> filters, Period period) {
        // in event-time order (arrival order within one instant): the free allowances of per-event prices are
        // used up in that order, whatever order the events arrived in
        List<StoredEvent> events = new ArrayList<>(engine.eventsOf(tenant, customer, period.start(), period.end()));
        events.sort(EVENT_TIME_ORDER);
        List<BigDecimal> out = new ArrayList<>();
        for (StoredEvent e : events) {
            contribution(tenant, meter, filters, e).ifPresent(c -> out.add(c.value()));
        }
        return out;
    }

    @Override
    public List<StoredEvent> eventsBehind(String tenant, String customer, String meter,
            Map<String, Set<String>> filters, Period period, long afterPosition, int limit) {
        List<StoredEvent> out = new ArrayList<>();
        for (StoredEvent e : engine.eventsOf(tenant, customer, period.start(), period.end())) {
            if (e.position() > afterPosition && contribution(tenant, meter, filters, e).isPresent()) {
                out.add(e);
            }
        }
        out.sort(java.util.Comparator.comparingLong(StoredEvent::position));
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    private Optional<Contribution> contribution(String tenant, String meter, Map<String, Set<String>> filters,
            StoredEvent e) {
        Optional<Contribution> c = engine.meters(tenant).contributionFor(meter, e.event());
        if (c.isEmpty()) {
            return c;
        }
        List<String> dims = c.get().meter().dimensions();
        for (Map.Entry<String, Set<String>> f : filters.entrySet()) {
            int i = dims.indexOf(f.getKey());
            Optional<String> v = i < 0 ? Optional.empty() : c.get().group().get(i);
            if (v.isEmpty() || !f.getValue().contains(v.get())) {
                return Optional.empty();
            }
        }
        return c;
    }

    @Override
    public int meterVersionAt(String tenant, String meter, Instant at) {
        return engine.meters(tenant).inForceAt(meter, at).map(Meter::version).orElse(0);
    }

    @Override
    public BigDecimal billable(String tenant, String meter, Instant at, BigDecimal periodTotal) {
        return engine.meters(tenant).inForceAt(meter, at).map(m -> m.billable(periodTotal)).orElse(periodTotal);
    }

    @Override
    public String changeMark(String tenant, String customer) {
        return engine.usageChangeMark(tenant, customer);
    }

    @Override
    public boolean meterExists(String tenant, String meter) {
        MeterCatalog catalog = engine.meters(tenant);
        return catalog.latest(meter).isPresent();
    }
}
