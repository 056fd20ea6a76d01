package dev.tally.engine.usage;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.Reading;
import dev.tally.core.aggregate.ValueWindow;
import dev.tally.core.event.UsageEvent;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.GroupKey;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.MeterCatalog;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One usage question answered exactly: whole hours inside a window come from
 * the hourly states; the partial hours at a window's edges are recomputed from
 * the raw events in the log. A persistent count is measured per customer from
 * the whole history ({@link PersistentUsage}). A time-weighted sum is integrated per series
 * (customer and group) and the integrals are added, and so is a duration
 * meter's covered time ({@link DurationWindows}); every other aggregation
 * merges states across series and customers.
 */
final class UsageQuery {
    static final int MAX_WINDOWS = 10_000;

    private final MeterCatalog catalog;
    private final UsageRequest request;
    private final EventReader reader;
    /** The tenant's compacted buckets: whole ones merge, cut ones are read back from the log. */
    private final Grains grains;
    private final UsageStore store;
    private final Instant now;
    private final List<Meter> versions;
    private final Aggregation aggregation;
    private final List<Instant[]> windows;
    private final Map<RowKey, Acc> rows = new HashMap<>();

    private record RowKey(int window, GroupKey group) {
    }

    private static final class Acc {
        AggregateState state;
        BigDecimal total = BigDecimal.ZERO;
        long events;
    }

    UsageQuery(MeterCatalog catalog, UsageRequest request, EventReader reader, UsageStore store, Instant now,
            Grains grains) {
        this.grains = grains;
        this.catalog = catalog;
        this.request = request;
        this.reader = reader;
        this.store = store;
        this.now = now;
        this.versions = catalog.versionsByKey().get(request.meter());
        if (versions == null) {
            throw new UnknownMeterException(request.meter());
        }
        Meter latest = versions.get(versions.size() - 1);
        this.aggregation = latest.aggregation();
        List<String> dims = latest.dimensions();
        for (String g : request.groupBy()) {
            if (!dims.contains(g)) {
                throw new ValidationException("group_by", "'" + g + "' is not a group_by dimension of meter '"
                        + latest.key() + "' (it has " + dims + ")");
            }
        }
        for (String f : request.filters().keySet()) {
            if (!dims.contains(f)) {
                throw new ValidationException("filter[" + f + "]", "'" + f
                        + "' is not a group_by dimension of meter '" + latest.key() + "'");
            }
        }
        this.windows = windows(request);
    }

    static List<Instant[]> windows(UsageRequest r) {
        List<Instant[]> out = new ArrayList<>();
        if (r.window() == Window.NONE) {
            out.add(new Instant[] {r.from(), r.to()});
            return out;
        }
        ZonedDateTime start = r.from().atZone(r.zone());
        start = switch (r.window()) {
            case HOUR -> start.truncatedTo(ChronoUnit.HOURS);
            case DAY -> start.toLocalDate().atStartOfDay(r.zone());
            default -> start.toLocalDate().withDayOfMonth(1).atStartOfDay(r.zone());
        };
        while (start.toInstant().isBefore(r.to())) {
            ZonedDateTime next = switch (r.window()) {
                case HOUR -> start.plusHours(1);
                case DAY -> start.toLocalDate().plusDays(1).atStartOfDay(r.zone());
                default -> start.toLocalDate().plusMonths(1).atStartOfDay(r.zone());
            };
            Instant ws = start.toInstant().isBefore(r.from()) ? r.from() : start.toInstant();
            Instant we = next.toInstant().isAfter(r.to()) ? r.to() : next.toInstant();
            out.add(new Instant[] {ws, we});
            if (out.size() > MAX_WINDOWS) {
                throw new ValidationException("window", "the range holds more than " + MAX_WINDOWS
                        + " windows; use a larger window or a shorter range");
            }
            start = next;
        }
        return out;
    }

    /** Whether the question can be answered from the tenant's rollup: not a time-weighted sum, persistent count or duration. */
    boolean answersFromRollup() {
        return aggregation != Aggregation.TIME_WEIGHTED_SUM && aggregation != Aggregation.PERSISTENT_COUNT
                && aggregation != Aggregation.DURATION
                && Hours.of(request.from()) >= grains.daysBelow; // the rollup stays hourly: compacted ranges fan out
    }

    /**
     * Answers for all customers from the rollup: the whole hours of each window from the merged states, the
     * partial hours at its edges from the log events of the customers that have states in those hours.
     */
    List<UsageRow> runRollup(TenantRollup rollup) {
        synchronized (rollup) {
            TenantRollup.MeterRollup mr = rollup.meter(request.meter());
            if (mr != null) {
                Map<RowKey, AggregateState> local = new HashMap<>();
                for (Map.Entry<SeriesKey, TreeMap<Long, AggregateState>> s : mr.series.entrySet()) {
                    Optional<GroupKey> g = project(s.getKey().version(), s.getKey().group());
                    if (g.isPresent()) {
                        addSeries(s.getKey(), g.get(), s.getValue(), local);
                    }
                }
                fold(local);
                for (int wi = 0; wi < windows.size(); wi++) {
                    for (Instant[] edge : edges(windows.get(wi)[0], windows.get(wi)[1])) {
                        long last = Hours.of(edge[1].minusNanos(1));
                        for (CustomerUsage cu : rollup.customersIn(mr, Hours.of(edge[0]), last)) {
                            Map<RowKey, AggregateState> raw = new HashMap<>();
                            synchronized (cu) {
                                addRaw(cu, wi, edge[0], edge[1], raw);
                            }
                            fold(raw);
                        }
                    }
                }
            }
        }
        return rows();
    }

    /** The parts of a window not covered by whole hours: none, one or two ranges. */
    private static List<Instant[]> edges(Instant ws, Instant we) {
        long a = Hours.ceil(ws);
        long b = Hours.of(we);
        if (a >= b) {
            return List.<Instant[]>of(new Instant[] {ws, we});
        }
        List<Instant[]> out = new ArrayList<>(2);
        if (ws.isBefore(Hours.start(a))) {
            out.add(new Instant[] {ws, Hours.start(a)});
        }
        if (we.isAfter(Hours.start(b))) {
            out.add(new Instant[] {Hours.start(b), we});
        }
        return out;
    }

    private void fold(Map<RowKey, AggregateState> local) {
        local.forEach((k, st) -> {
            Acc acc = rows.computeIfAbsent(k, x -> new Acc());
            if (acc.state == null) {
                acc.state = AggregateState.empty(aggregation);
            }
            acc.state.merge(st);
            acc.events += st.eventCount();
        });
    }

    List<UsageRow> run(List<CustomerUsage> customers) {
        for (CustomerUsage cu : customers) {
            Map<RowKey, AggregateState> local = new HashMap<>();
            synchronized (cu) {
                Map<SeriesKey, TreeMap<Long, AggregateState>> series = cu.seriesByMeter.get(request.meter());
                if (aggregation == Aggregation.PERSISTENT_COUNT) {
                    addPersistent(PersistentUsage.timelines(cu, request.meter()));
                    continue;
                }
                if (series != null) {
                    for (Map.Entry<SeriesKey, TreeMap<Long, AggregateState>> s : series.entrySet()) {
                        Optional<GroupKey> g = project(s.getKey().version(), s.getKey().group());
                        if (g.isPresent()) {
                            addSeries(s.getKey(), g.get(), s.getValue(), local);
                        }
                    }
                }
                if (aggregation != Aggregation.TIME_WEIGHTED_SUM && aggregation != Aggregation.DURATION) {
                    addEdges(cu, local);
                }
            }
            fold(local);
        }
        return rows();
    }

    /** A persistent count is measured per customer and group from the whole history, then added up. */
    private void addPersistent(Map<GroupKey, dev.tally.core.aggregate.UnitTimeline> timelines) {
        for (PersistentUsage.Part p : PersistentUsage.of(timelines, windows, versions, request.zone())) {
            Optional<GroupKey> g = project(p.version().version(), p.group());
            if (g.isPresent()) {
                Acc acc = rows.computeIfAbsent(new RowKey(p.window(), g.get()), x -> new Acc());
                acc.total = acc.total.add(p.value());
                acc.events += p.events();
            }
        }
    }

    private void addSeries(SeriesKey sk, GroupKey g, TreeMap<Long, AggregateState> hours,
            Map<RowKey, AggregateState> local) {
        Meter version = version(sk.version());
        if (aggregation == Aggregation.DURATION) {
            for (DurationWindows.Part p : DurationWindows.answer(version, versionEnd(version), hours, windows, now)) {
                Acc acc = rows.computeIfAbsent(new RowKey(p.window(), g), x -> new Acc());
                acc.total = acc.total.add(p.value());
                acc.events += p.events();
            }
            return;
        }
        for (int wi = 0; wi < windows.size(); wi++) {
            Instant ws = windows.get(wi)[0];
            Instant we = windows.get(wi)[1];
            if (aggregation == Aggregation.TIME_WEIGHTED_SUM) {
                AggregateState st = AggregateState.empty(aggregation);
                hours.subMap(Hours.of(ws), true, Hours.ceil(we), false).values().forEach(st::merge);
                Optional<Reading> carry = Optional.empty();
                for (AggregateState before : hours.headMap(Hours.of(ws), false).descendingMap().values()) {
                    carry = before.lastReading();
                    if (carry.isPresent()) {
                        break;
                    }
                }
                Instant end = we.isAfter(now) ? now : we;
                if (!end.isAfter(ws) || (st.isEmpty() && carry.isEmpty())) {
                    continue;
                }
                BigDecimal v = st.value(new ValueWindow(ws, end, carry, version.timeUnit()));
                Acc acc = rows.computeIfAbsent(new RowKey(wi, g), x -> new Acc());
                acc.total = acc.total.add(v);
                acc.events += st.eventCount();
                continue;
            }
            long a = Hours.ceil(ws);
            long b = Hours.of(we);
            if (a >= b) {
                continue;
            }
            boolean compacted = a < grains.daysBelow && Grains.mergeable(aggregation);
            for (Map.Entry<Long, AggregateState> st : hours.subMap(a, true, b, false).entrySet()) {
                if (compacted && grains.end(st.getKey()) > b) {
                    continue; // a bucket the window cuts: its part in the window is read back ({@link #addEdges})
                }
                local.computeIfAbsent(new RowKey(wi, g), x -> AggregateState.empty(aggregation)).merge(st.getValue());
            }
        }
    }

    /** Adds the raw events of the partial hours at each window's edges. */
    private void addEdges(CustomerUsage cu, Map<RowKey, AggregateState> local) {
        for (int wi = 0; wi < windows.size(); wi++) {
            Instant ws = windows.get(wi)[0];
            Instant we = windows.get(wi)[1];
            long a = Hours.ceil(ws);
            long b = Hours.of(we);
            if (a >= b) {
                addRaw(cu, wi, ws, we, local);
            } else {
                if (ws.isBefore(Hours.start(a))) {
                    addRaw(cu, wi, ws, Hours.start(a), local);
                }
                if (we.isAfter(Hours.start(b))) {
                    addRaw(cu, wi, Hours.start(b), we, local);
                }
                if (a < grains.daysBelow && Grains.mergeable(aggregation)) {
                    addCutBuckets(cu, wi, a, b, local);
                }
            }
        }
    }

    /**
     * Reads back the events of the whole hours [a, b) that lie in compacted buckets the window cuts: the bucket
     * holding hour a if it starts before a, and the bucket holding hour b - 1 if it ends after b.
     */
    private void addCutBuckets(CustomerUsage cu, int wi, long a, long b, Map<RowKey, AggregateState> local) {
        long firstEnd = Math.min(grains.end(a), b);
        if (grains.start(a) < a) {
            addRaw(cu, wi, Hours.start(a), Hours.start(firstEnd), local);
        }
        long last = b - 1;
        if (grains.end(last) > b && grains.start(last) >= a) {
            addRaw(cu, wi, Hours.start(grains.start(last)), Hours.start(b), local);
        }
    }

    private void addRaw(CustomerUsage cu, int wi, Instant from, Instant to, Map<RowKey, AggregateState> local) {
        long last = Hours.of(to.minusNanos(1));
        for (long[] hp : store.positionsOf(cu, Hours.of(from), last + 1, Long.MIN_VALUE, -1, Integer.MAX_VALUE)) {
            long p = hp[1];
            if (store.isCancelled(p)) {
                continue;
            }
            UsageEvent e = reader.read(p);
            if (e.time().isBefore(from) || !e.time().isBefore(to)) {
                continue;
            }
            Optional<Contribution> c = catalog.contributionFor(request.meter(), e);
            if (c.isEmpty()) {
                continue;
            }
            Optional<GroupKey> g = project(c.get().meter().version(), c.get().group());
            if (g.isPresent()) {
                local.computeIfAbsent(new RowKey(wi, g.get()), x -> AggregateState.empty(aggregation))
                        .add(e.time(), e.tieBreak(), c.get().value(), c.get().distinct());
            }
        }
    }

    /** When a version stops measuring: the next version's effective time, or never. */
    private Instant versionEnd(Meter m) {
        for (Meter next : versions) {
            if (next.version() > m.version()) {
                return next.effectiveFrom();
            }
        }
        return Instant.MAX;
    }

    private Meter version(int v) {
        for (Meter m : versions) {
            if (m.version() == v) {
                return m;
            }
        }
        return versions.get(versions.size() - 1);
    }

    /** The group's key in the requested dimensions, or empty when a filter excludes it. */
    private Optional<GroupKey> project(int version, GroupKey group) {
        List<String> dims = version(version).dimensions();
        for (Map.Entry<String, Set<String>> f : request.filters().entrySet()) {
            int i = dims.indexOf(f.getKey());
            Optional<String> v = i < 0 ? Optional.empty() : group.get(i);
            if (v.isEmpty() || !f.getValue().contains(v.get())) {
                return Optional.empty();
            }
        }
        List<Optional<String>> values = new ArrayList<>(request.groupBy().size());
        for (String d : request.groupBy()) {
            int i = dims.indexOf(d);
            values.add(i < 0 ? Optional.empty() : group.get(i));
        }
        return Optional.of(GroupKey.of(values));
    }

    private List<UsageRow> rows() {
        List<UsageRow> out = new ArrayList<>();
        rows.forEach((k, acc) -> {
            Instant[] w = windows.get(k.window());
            BigDecimal value = acc.state != null
                    ? acc.state.value(new ValueWindow(w[0], w[1], Optional.empty(), version(1).timeUnit()))
                    : acc.total;
            List<Optional<String>> group = new ArrayList<>();
            for (int i = 0; i < k.group().size(); i++) {
                group.add(k.group().get(i));
            }
            out.add(new UsageRow(w[0], w[1], group, value, acc.events));
        });
        out.sort(Comparator.comparing(UsageRow::windowStart).thenComparing(r -> r.group().toString()));
        if (out.isEmpty() && request.window() == Window.NONE && request.groupBy().isEmpty()) {
            out.add(new UsageRow(request.from(), request.to(), List.of(), BigDecimal.ZERO, 0));
        }
        return out;
    }
}
