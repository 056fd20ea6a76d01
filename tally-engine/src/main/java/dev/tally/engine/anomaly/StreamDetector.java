package dev.tally.engine.anomaly;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signals of the ingest counters, evaluated once per tick (a minute in production) on the detection thread:
 * duplicate and rejected storms and timestamp skew per source over the events since the last tick, new sources in
 * bulk, and keys sending for customers they never sent for. The normal duplicate and rejected shares of a source
 * are an exponentially weighted mean of its quiet ticks (weight {@value #ALPHA}); what is known (sources, each key's
 * customers, when learning began) is remembered in the database, and nothing new is raised during the first
 * {@link #LEARNING} of a tenant or of a key.
 */
final class StreamDetector {
    static final double ALPHA = 0.1;
    /** Ticks with fewer events do not move a source's normal shares. */
    static final int MIN_EVENTS_TO_LEARN = 20;
    static final Duration LEARNING = Duration.ofHours(24);
    static final Duration NEW_SOURCE_WINDOW = Duration.ofHours(1);
    static final Duration KEY_WINDOW = Duration.ofHours(1);

    private final IngestCounters counters;
    private final AnomalyStore store;
    private final Map<String, TenantState> states = new ConcurrentHashMap<>();

    StreamDetector(IngestCounters counters, AnomalyStore store) {
        this.counters = counters;
        this.store = store;
    }

    private static final class SourceState {
        long events;
        long duplicates;
        long rejected;
        long skewed;
        double normalDuplicates;
        double normalRejected;
        boolean learned;
    }

    private static final class KeyState {
        long firstSeenMs;
        final Set<String> customers = new HashSet<>();
        final ArrayDeque<Long> newCustomerTimes = new ArrayDeque<>();
        long newSinceEstablished;
    }

    private static final class TenantState {
        long learningSinceMs;
        final Set<String> knownSources = new HashSet<>();
        final Map<String, SourceState> sources = new HashMap<>();
        final Map<String, Long> newSources = new HashMap<>();
        final Map<String, KeyState> keys = new HashMap<>();
    }

    private TenantState state(String tenant, long nowMs) {
        return states.computeIfAbsent(tenant, t -> {
            TenantState s = new TenantState();
            s.learningSinceMs = store.learningSince(t, nowMs);
            AnomalyStore.Known known = store.known(t);
            s.knownSources.addAll(known.sources());
            known.keysFirstSeen().forEach((k, at) -> key(s, k, at));
            known.keyCustomers().forEach((k, cs) -> key(s, k, nowMs).customers.addAll(cs));
            return s;
        });
    }

    private static KeyState key(TenantState s, String key, long firstSeenMs) {
        return s.keys.computeIfAbsent(key, k -> {
            KeyState ks = new KeyState();
            ks.firstSeenMs = firstSeenMs;
            return ks;
        });
    }

    List<Signal> evaluate(String tenant, AnomalyPolicy p, Instant now) {
        long nowMs = now.toEpochMilli();
        TenantState s = state(tenant, nowMs);
        IngestCounters.TenantCounters c = counters.tenant(tenant);
        boolean learning = nowMs - s.learningSinceMs < LEARNING.toMillis();
        List<Signal> out = new ArrayList<>();
        List<String[]> remember = new ArrayList<>();
        for (Map.Entry<String, IngestCounters.SourceTotals> e : c.sources.entrySet()) {
            String source = e.getKey();
            IngestCounters.SourceTotals t = e.getValue();
            SourceState ss = s.sources.computeIfAbsent(source, x -> new SourceState());
            long events = t.events.sum();
            long duplicates = t.duplicates.sum();
            long rejected = t.rejected.sum();
            long skewed = t.skewed.sum();
            storms(source, p, now, ss, events - ss.events, duplicates - ss.duplicates, rejected - ss.rejected,
                    skewed - ss.skewed, out);
            ss.events = events;
            ss.duplicates = duplicates;
            ss.rejected = rejected;
            ss.skewed = skewed;
            if (!source.equals(IngestCounters.NO_SOURCE) && s.knownSources.add(source)) {
                remember.add(new String[] {"source", source, ""});
                if (!learning) {
                    s.newSources.put(source, nowMs);
                }
            }
        }
        s.newSources.entrySet().removeIf(e -> nowMs - e.getValue() > NEW_SOURCE_WINDOW.toMillis());
        for (Map.Entry<String, Long> e : s.newSources.entrySet()) {
            long events = s.sources.get(e.getKey()).events;
            if (events >= p.newSourceMinEvents()) {
                out.add(new Signal(AnomalyKind.NEW_SOURCE, Optional.empty(), Optional.empty(),
                        Optional.of(e.getKey()), Instant.ofEpochMilli(e.getValue()), now, events, 0,
                        (double) events / p.newSourceMinEvents(), "first_hour_of_source"));
            }
        }
        keys(s, c, p, now, learning, remember, out);
        if (!remember.isEmpty()) {
            store.remember(tenant, remember, nowMs);
        }
        return out;
    }

    private static void storms(String source, AnomalyPolicy p, Instant now, SourceState ss, long events,
            long duplicates, long rejected, long skewed, List<Signal> out) {
        if (events <= 0) {
            return;
        }
        boolean duplicateStorm = storm(AnomalyKind.DUPLICATE_STORM, source, p, now, events, duplicates,
                ss.normalDuplicates, out);
        boolean rejectedStorm = storm(AnomalyKind.REJECTED_STORM, source, p, now, events, rejected,
                ss.normalRejected, out);
        if (events >= MIN_EVENTS_TO_LEARN) {
            if (!duplicateStorm) {
                ss.normalDuplicates = learn(ss.learned, ss.normalDuplicates, (double) duplicates / events);
            }
            if (!rejectedStorm) {
                ss.normalRejected = learn(ss.learned, ss.normalRejected, (double) rejected / events);
            }
            ss.learned = true;
        }
        double skewRatio = p.skewRatio().doubleValue();
        if (skewed >= p.skewMinEvents() && (double) skewed / events >= skewRatio) {
            out.add(new Signal(AnomalyKind.TIMESTAMP_SKEW, Optional.empty(), Optional.empty(), Optional.of(source),
                    now, now, (double) skewed / events, 0, (double) skewed / events / skewRatio, "share_far_in_time"));
        }
    }

    private static boolean storm(AnomalyKind kind, String source, AnomalyPolicy p, Instant now, long events,
            long bad, double normal, List<Signal> out) {
        if (events < p.stormMinEvents()) {
            return false;
        }
        double share = (double) bad / events;
        double threshold = Math.max(p.stormRatio().doubleValue(), p.stormFactor().doubleValue() * normal);
        if (share < threshold) {
            return false;
        }
        out.add(new Signal(kind, Optional.empty(), Optional.empty(), Optional.of(source), now, now, share, normal,
                share / threshold, "ewma_share_of_source"));
        return true;
    }

    private static double learn(boolean learned, double normal, double share) {
        return learned ? normal + ALPHA * (share - normal) : share;
    }

    private static void keys(TenantState s, IngestCounters.TenantCounters c, AnomalyPolicy p, Instant now,
            boolean learning, List<String[]> remember, List<Signal> out) {
        long nowMs = now.toEpochMilli();
        for (String[] pair; (pair = c.newPairs.poll()) != null; ) {
            boolean newKey = !s.keys.containsKey(pair[0]);
            KeyState k = key(s, pair[0], nowMs);
            if (newKey) {
                remember.add(new String[] {"key", pair[0], ""});
            }
            if (k.customers.size() >= IngestCounters.MAX_CUSTOMERS_PER_KEY || !k.customers.add(pair[1])) {
                continue;
            }
            remember.add(new String[] {"key", pair[0], pair[1]});
            if (!learning && nowMs - k.firstSeenMs >= LEARNING.toMillis()) {
                k.newCustomerTimes.add(nowMs);
                k.newSinceEstablished++;
            }
        }
        for (Map.Entry<String, KeyState> e : s.keys.entrySet()) {
            KeyState k = e.getValue();
            while (!k.newCustomerTimes.isEmpty() && nowMs - k.newCustomerTimes.peekFirst() >= KEY_WINDOW.toMillis()) {
                k.newCustomerTimes.pollFirst();
            }
            int n = k.newCustomerTimes.size();
            if (n >= p.keyNewCustomers()) {
                double hours = Math.max(1.0, (nowMs - k.firstSeenMs - LEARNING.toMillis()) / 3_600_000.0);
                double normal = Math.max(0, k.newSinceEstablished - n) / hours;
                out.add(new Signal(AnomalyKind.KEY_CUSTOMER_SPREAD, Optional.empty(), Optional.empty(),
                        Optional.of(e.getKey()), Instant.ofEpochMilli(k.newCustomerTimes.peekFirst()), now, n, normal,
                        (double) n / p.keyNewCustomers(), "new_customers_last_hour"));
            }
        }
    }
}
