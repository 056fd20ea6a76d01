package dev.tally.engine.anomaly;

import dev.tally.core.event.EventOutcome;
import dev.tally.engine.ingest.EventStatus;
import dev.tally.engine.ingest.IngestResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * What ingest tells detection, in O(1) per event and without locks: per tenant and source, running totals of
 * events, duplicates, rejections and events far in time; per API key, the customers it sent for (first sighting
 * queued once for the evaluator). Totals only grow: the evaluator diffs them between its ticks, so nothing here
 * knows about minutes. In memory only; a restart starts the totals again (the evaluator's first tick after it
 * takes a baseline and raises nothing).
 */
final class IngestCounters {
    /** An event this far before its arrival counts as far in the past. */
    static final Duration FAR_PAST = Duration.ofHours(24);
    /** An event this far after its arrival counts as far in the future. */
    static final Duration FAR_FUTURE = Duration.ofMinutes(5);
    /** A key's customers are tracked up to this many (a key sending for more is a gateway: not tracked further). */
    static final int MAX_CUSTOMERS_PER_KEY = 100_000;
    static final String NO_SOURCE = "";

    /** Running totals of one source. */
    static final class SourceTotals {
        final LongAdder events = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder skewed = new LongAdder();
    }

    /** One tenant's counters. */
    static final class TenantCounters {
        final ConcurrentHashMap<String, SourceTotals> sources = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, Map<String, Boolean>> keyCustomers = new ConcurrentHashMap<>();
        /** (key, customer) pairs sighted by this process for the first time, for the evaluator. */
        final Queue<String[]> newPairs = new ConcurrentLinkedQueue<>();
    }

    private final ConcurrentHashMap<String, TenantCounters> tenants = new ConcurrentHashMap<>();

    TenantCounters tenant(String tenant) {
        return tenants.computeIfAbsent(tenant, t -> new TenantCounters());
    }

    /** Counts one ingest request: its outcomes (as read) and results (as stored), in request order. */
    void observe(String tenant, Optional<String> key, long nowEpochSecond, List<EventOutcome> outcomes,
            IngestResult result) {
        TenantCounters t = tenant(tenant);
        List<EventStatus> statuses = result.results();
        long farPast = nowEpochSecond - FAR_PAST.toSeconds();
        long farFuture = nowEpochSecond + FAR_FUTURE.toSeconds();
        Map<String, Boolean> customers = key.map(k -> t.keyCustomers.computeIfAbsent(k,
                x -> new ConcurrentHashMap<>())).orElse(null);
        String lastSource = null;
        String lastCustomer = null;
        long events = 0;
        long duplicates = 0;
        long rejected = 0;
        long skewed = 0;
        for (int i = 0; i < statuses.size(); i++) {
            EventStatus s = statuses.get(i);
            String source = s.source().orElse(NO_SOURCE);
            if (!source.equals(lastSource)) {
                if (lastSource != null) {
                    add(t, lastSource, events, duplicates, rejected, skewed);
                }
                lastSource = source;
                events = 0;
                duplicates = 0;
                rejected = 0;
                skewed = 0;
            }
            events++;
            switch (s.kind()) {
                case DUPLICATE -> duplicates++;
                case REJECTED -> rejected++;
                default -> { }
            }
            if (i < outcomes.size() && outcomes.get(i) instanceof EventOutcome.Parsed p) {
                long at = p.event().time().getEpochSecond();
                if (at < farPast || at > farFuture) {
                    skewed++;
                }
                String customer = p.event().subject();
                if (customers != null && !customer.equals(lastCustomer) && !customers.containsKey(customer)
                        && customers.size() < MAX_CUSTOMERS_PER_KEY
                        && customers.putIfAbsent(customer, Boolean.TRUE) == null) {
                    t.newPairs.add(new String[] {key.get(), customer});
                }
                lastCustomer = customer;
            }
        }
        if (lastSource != null) {
            add(t, lastSource, events, duplicates, rejected, skewed);
        }
    }

    private static void add(TenantCounters t, String source, long events, long duplicates, long rejected, long skewed) {
        SourceTotals totals = t.sources.computeIfAbsent(source, x -> new SourceTotals());
        totals.events.add(events);
        if (duplicates > 0) {
            totals.duplicates.add(duplicates);
        }
        if (rejected > 0) {
            totals.rejected.add(rejected);
        }
        if (skewed > 0) {
            totals.skewed.add(skewed);
        }
    }
}
