package dev.tally.engine.ingest;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.aggregate.DurationState;
import dev.tally.core.aggregate.TimeUnitOfMeasure;
import dev.tally.core.aggregate.ValueWindow;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.MeterCatalog;
import dev.tally.engine.Reconciliation;
import dev.tally.engine.usage.UsageStore;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything that reads the whole log: recovery at start, rebuilding a meter
 * after it changes, listing a tenant's events without a customer, and
 * reconciliation (recomputing aggregates from raw events, independently of the
 * live path).
 */
public final class LogScans {
    private final EventStore log;
    private final IngestPipeline pipeline;
    private final UsageStore usage;
    private final Catalogs catalogs;

    public LogScans(EventStore log, IngestPipeline pipeline, UsageStore usage, Catalogs catalogs) {
        this.log = log;
        this.pipeline = pipeline;
        this.usage = usage;
        this.catalogs = catalogs;
    }

    /** Replays the log from a position into the dedup index and usage store; returns the number of records. */
    public long recover(long from) {
        long[] n = {0};
        log.scan(from, (position, bytes) -> {
            pipeline.replayRecord(position, bytes);
            n[0]++;
            return true;
        });
        log.maintainIndex(); // release what left the dedup window while the process was down
        return n[0];
    }

    /** Recomputes one meter of a tenant from every stored event (call on the writer thread). */
    public void rebuild(String tenant, String key) {
        MeterCatalog catalog = catalogs.get(tenant);
        usage.clearMeter(tenant, key);
        List<Meter> versions = catalog.versionsByKey().getOrDefault(key, List.of());
        Set<String> types = new HashSet<>();
        versions.forEach(m -> types.add(m.eventType()));
        byte[] t = LogRecord.utf8(tenant);
        log.scan(log.start(), (position, bytes) -> {
            String type = LogRecord.eventTypeIfTenant(bytes, t);
            if (type != null && types.contains(type) && !usage.isCancelled(position)) {
                LogRecord.Event e = (LogRecord.Event) pipeline.decode(bytes);
                catalog.contributionFor(key, e.event())
                        .ifPresent(c -> usage.applyContributions(tenant, e.event(), List.of(c)));
            }
            return true;
        });
    }

    /** Up to {@code limit} events of a tenant after {@code afterPosition}, in log order, that pass the filter. */
    public List<StoredEvent> scanEvents(String tenant, long afterPosition, Optional<String> type,
            Optional<Instant> from, Optional<Instant> to, int limit) {
        byte[] t = LogRecord.utf8(tenant);
        List<StoredEvent> out = new ArrayList<>();
        long start = afterPosition >= 0 ? afterPosition : from.map(log::firstPositionFrom).orElse(log.start());
        log.scan(start, (position, bytes) -> {
            if (position == afterPosition) {
                return true;
            }
            String eventType = LogRecord.eventTypeIfTenant(bytes, t);
            if (eventType == null || (type.isPresent() && !type.get().equals(eventType))) {
                return true;
            }
            LogRecord.Event e = (LogRecord.Event) pipeline.decode(bytes);
            Instant at = e.event().time();
            if (from.isPresent() && at.isBefore(from.get()) || to.isPresent() && !at.isBefore(to.get())) {
                return true;
            }
            out.add(new StoredEvent(e.event(), e.receivedAt(), usage.isCancelled(position), position));
            return out.size() < limit;
        });
        return out;
    }

    /** Recomputes every meter's hourly states in [from, to) from raw events and compares with the live ones. */
    public Reconciliation reconcile(String tenant, Instant from, Instant to) {
        MeterCatalog catalog = catalogs.get(tenant);
        byte[] t = LogRecord.utf8(tenant);
        // widened to whole compacted buckets: a compacted state is compared with all its hours' events
        long[] range = usage.widenToBuckets(tenant, UsageStore.hourOf(from), UsageStore.hourOf(to.minusNanos(1)) + 1);
        long fromHour = range[0];
        long toHour = range[1];
        Set<Long> cancelled = new HashSet<>();
        long start = log.firstPositionFrom(Instant.ofEpochSecond(fromHour * 3600)); // older segments hold no event of the range (nor its cancels)
        log.scan(start, (position, bytes) -> {
            if (bytes[0] == LogRecord.CANCEL) {
                LogRecord.Cancel c = (LogRecord.Cancel) pipeline.decode(bytes);
                if (c.tenant().equals(tenant)) {
                    cancelled.add(c.target());
                }
            }
            return true;
        });
        Map<String, AggregateState> expected = new HashMap<>();
        Map<String, TimeUnitOfMeasure> units = new HashMap<>();
        long[] scanned = {0};
        log.scan(start, (position, bytes) -> {
            if (LogRecord.eventTypeIfTenant(bytes, t) == null || cancelled.contains(position)) {
                return true;
            }
            LogRecord.Event e = (LogRecord.Event) pipeline.decode(bytes);
            long hour = UsageStore.hourOf(e.event().time());
            if (hour < fromHour || hour >= toHour) {
                return true;
            }
            scanned[0]++;
            for (Contribution c : catalog.contributionsLenient(e.event())) {
                String k = UsageStore.stateKey(e.event().subject(), c,
                        usage.stateHour(tenant, c.meter().aggregation(), hour));
                units.put(k, c.meter().timeUnit());
                expected.computeIfAbsent(k, x -> AggregateState.empty(c.meter().aggregation()))
                        .add(e.event().time(), e.event().tieBreak(), c.value(), c.distinct());
            }
            return true;
        });
        Map<String, AggregateState> live = usage.snapshotStates(tenant, fromHour, toHour);
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(live.keySet());
        List<Reconciliation.Difference> differences = new ArrayList<>();
        for (String k : keys) {
            AggregateState exp = expected.get(k);
            AggregateState got = live.get(k);
            BigDecimal ev = value(exp, k, units);
            BigDecimal gv = value(got, k, units);
            long ec = exp == null ? 0 : exp.eventCount();
            long gc = got == null ? 0 : got.eventCount();
            if (ev.compareTo(gv) != 0 || ec != gc || !sameMarks(exp, got)) {
                differences.add(new Reconciliation.Difference(k, ev, gv, ec, gc));
            }
        }
        return new Reconciliation(from, to, scanned[0], keys.size(), differences);
    }

    /** A duration state is its set of marks: live and recomputed must hold exactly the same ones. */
    private static boolean sameMarks(AggregateState expected, AggregateState live) {
        return !(expected instanceof DurationState e && live instanceof DurationState l) || e.marks().equals(l.marks());
    }

    private static BigDecimal value(AggregateState s, String key, Map<String, TimeUnitOfMeasure> units) {
        if (s == null) {
            return BigDecimal.ZERO;
        }
        Instant hourStart = Instant.parse(key.substring(key.lastIndexOf("| ") + 2));
        return s.value(new ValueWindow(hourStart, hourStart.plusSeconds(3600), Optional.empty(),
                units.getOrDefault(key, TimeUnitOfMeasure.HOUR)));
    }
}
